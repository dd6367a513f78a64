package io.carebus.audit.internal;

import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.time.Duration;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The same units of work on PostgreSQL: one transaction, one WAL flush, the chain in commit order. */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresAuditInMessageUnitTest extends AuditInMessageUnitTest {

    @Override
    protected CloseableMessageStore open() throws Exception {
        try (java.sql.Connection c = io.carebus.store.internal.StoreFactory.create(System.getenv("CAREBUS_TEST_PG_URL"),
                System.getenv("CAREBUS_TEST_PG_USER"), System.getenv("CAREBUS_TEST_PG_PASSWORD")).getConnection();
             java.sql.Statement s = c.createStatement()) {
            // A chain of this test's own: earlier runs' records were chained with other keys.
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
        return MessageStores.open(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"), Duration.ofHours(1));
    }
}
