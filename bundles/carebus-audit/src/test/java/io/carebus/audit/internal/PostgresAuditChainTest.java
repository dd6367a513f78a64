package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.store.StoreDatabases;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The same tampering on PostgreSQL (started by {@code ./carebus.sh test}), where the engine's own role cannot change
 * the table at all: the attacker here first disables the trigger, as a table owner could.
 */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresAuditChainTest extends AuditChainTest {

    @Override
    protected DataSource database() throws Exception {
        h2 = false;
        String url = System.getenv("CAREBUS_TEST_PG_URL");
        String user = System.getenv("CAREBUS_TEST_PG_USER");
        String password = System.getenv("CAREBUS_TEST_PG_PASSWORD");
        DataSource raw = io.carebus.store.internal.StoreFactory.create(url, user, password);
        try (Connection c = raw.getConnection(); Statement s = c.createStatement()) {
            // The whole schema, whatever later migrations added (tables, the append-only trigger function).
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
        return StoreDatabases.open(url, user, password);
    }

    @Override
    protected void tamper(String... sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE audit_record DISABLE TRIGGER USER");
            for (String statement : sql) {
                s.execute(statement);
            }
            s.execute("ALTER TABLE audit_record ENABLE TRIGGER USER");
        }
    }

    @Test
    void theEnginesRoleCannotUpdateDeleteOrTruncate() throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO audit_record (seq, at_millis, node_id, actor, action, outcome, key_id, chain_hash)"
                    + " VALUES (999999, 0, 'n', 'a', 'READ', 'SUCCESS', 'k1', 'x')");
            assertThatThrownBy(() -> s.execute("UPDATE audit_record SET actor = 'b'")).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("DELETE FROM audit_record")).hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.execute("TRUNCATE audit_record")).hasMessageContaining("append-only");
        }
    }

    /** The writer keeps its connection; when the server drops it, the next record is written on a new one. */
    @Test
    void aDroppedConnectionCostsNoRecord() throws Exception {
        assertThat(log.append(record(1))).isEqualTo(1);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // Only this role's sessions: an autovacuum worker in the same database is a superuser process the
            // test role may not end (CI failed on exactly that once).
            var ended = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND usename = current_user"
                    + " AND backend_type = 'client backend' AND pid <> pg_backend_pid()");
            ended.next();
            assertThat(ended.getInt(1)).as("the writer's connection, ended by the server").isGreaterThanOrEqualTo(1);
        }
        assertThat(log.append(record(2))).isEqualTo(2);
        assertThat(log.append(record(3))).isEqualTo(3);
        assertThat(verify().intact()).isTrue();
        assertThat(verify().lastSeq()).isEqualTo(3);
    }
}
