package io.carebus.fhir.internal;

import io.carebus.store.StoreDatabases;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The alert scenarios with episodes and outbox on a real PostgreSQL (V12 there too); see PostgresEhrDeliveryTest. */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresAlertStepTest extends AlertStepTest {

    @Override
    protected DataSource open() {
        return StoreDatabases.open(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"));
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("DELETE FROM alert_episode");
            s.execute("DELETE FROM fhir_outbox");
        }
    }
}
