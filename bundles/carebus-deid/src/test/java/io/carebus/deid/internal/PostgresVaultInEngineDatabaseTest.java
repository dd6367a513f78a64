package io.carebus.deid.internal;

import io.carebus.store.CloseableEngineDatabase;
import io.carebus.store.StoreDatabases;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The store configured for PostgreSQL: the vault entry lands in PostgreSQL, not in an embedded H2 file. */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresVaultInEngineDatabaseTest extends VaultInEngineDatabaseTest {

    @Override
    protected CloseableEngineDatabase open() {
        return StoreDatabases.openDatabase(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"));
    }
}
