package io.carebus.context.internal;

import io.carebus.store.StoreDatabases;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The same on a real PostgreSQL, as {@code ./carebus.sh test} (and so CI) runs it with {@code CAREBUS_TEST_PG_URL}. */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresPatientContextTest extends PatientContextTest {

    @Override
    protected DataSource database() throws Exception {
        DataSource pg = StoreDatabases.openPooled(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"), 4);
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            for (String table : new String[] {"context_observation", "context_patient", "context_condition", "context_encounter"}) {
                s.execute("DELETE FROM " + table);
            }
        }
        return pg;
    }
}
