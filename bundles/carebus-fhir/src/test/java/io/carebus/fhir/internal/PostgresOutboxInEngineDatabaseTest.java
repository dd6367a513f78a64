package io.carebus.fhir.internal;

import io.carebus.store.CloseableEngineDatabase;
import io.carebus.store.StoreDatabases;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The store configured for PostgreSQL: the outbox row lands in PostgreSQL, not in an embedded H2 file. */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresOutboxInEngineDatabaseTest extends OutboxInEngineDatabaseTest {

    @Override
    protected CloseableEngineDatabase open() {
        return StoreDatabases.openDatabase(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"));
    }
}
