package io.carebus.fhir.internal;

import io.carebus.store.StoreDatabases;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The same delivery scenarios with the outbox on a real PostgreSQL: {@code ./carebus.sh test} (and so CI) starts
 * Debian's PostgreSQL and sets {@code CAREBUS_TEST_PG_URL}, {@code CAREBUS_TEST_PG_USER}, {@code CAREBUS_TEST_PG_PASSWORD}.
 */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresEhrDeliveryTest extends EhrDeliveryTest {

    @Override
    protected DataSource database() throws Exception {
        DataSource pg = StoreDatabases.openPooled(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"), 4);
        try (Connection c = pg.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM fhir_outbox");
        }
        return pg;
    }
}
