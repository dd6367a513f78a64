package io.carebus.deid.internal;

import io.carebus.store.StoreDatabases;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The leakage corpus and round trip with the re-identification vault on a real PostgreSQL (as CI runs it). */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresLeakageTest extends LeakageTest {

    @Override
    protected DataSource database() throws Exception {
        DataSource pg = StoreDatabases.openPooled(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"), 4);
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM deid_vault");
        }
        return pg;
    }
}
