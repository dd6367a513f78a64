package io.carebus.store.internal;

import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The same contract against a real PostgreSQL: {@code ./carebus.sh test} (and so CI) starts Debian's PostgreSQL and
 * sets {@code CAREBUS_TEST_PG_URL}, {@code CAREBUS_TEST_PG_USER} and {@code CAREBUS_TEST_PG_PASSWORD}.
 */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresMessageStoreTest extends JdbcMessageStoreTest {

    @Override
    protected DataSource database() throws Exception {
        h2 = false;
        DataSource pg = StoreFactory.create(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"));
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            // The whole schema, whatever later migrations added (tables, the append-only trigger function).
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        }
        return pg;
    }
}
