package io.carebus.store.internal;

import io.carebus.api.store.EngineDatabase;
import java.util.Map;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** jdbc.url naming PostgreSQL: the one database, and the message store in it, are PostgreSQL. */
@EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
class PostgresDatabaseComponentTest extends DatabaseComponentTest {

    @Override
    protected Map<String, Object> jdbc() {
        return Map.of("jdbc_url", System.getenv("CAREBUS_TEST_PG_URL"), "jdbc_user", System.getenv("CAREBUS_TEST_PG_USER"),
                "jdbc_password", System.getenv("CAREBUS_TEST_PG_PASSWORD"));
    }

    @Override
    protected EngineDatabase.Kind expectedKind() {
        return EngineDatabase.Kind.POSTGRESQL;
    }
}
