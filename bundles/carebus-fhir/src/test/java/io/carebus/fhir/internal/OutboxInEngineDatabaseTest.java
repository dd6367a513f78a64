package io.carebus.fhir.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.fhir.testing.Configs;
import io.carebus.store.CloseableEngineDatabase;
import io.carebus.store.StoreDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24: "a FHIR result's outbox row ... [was] written to an embedded H2 file under data/carebus/: the other
 * bundles' blank jdbc.url means H2. A hospital that backs up its PostgreSQL would lose ... the undelivered results."
 * The outbox component, as DS activates it, writes into the engine database it is given (the store's one database),
 * and opens no database of its own under karaf.data. Here on an H2 file elsewhere; on PostgreSQL in
 * {@link PostgresOutboxInEngineDatabaseTest}.
 */
class OutboxInEngineDatabaseTest {

    @TempDir
    Path dir;
    private String karafDataBefore;
    private CloseableEngineDatabase database;

    @BeforeEach
    void start() throws Exception {
        karafDataBefore = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.resolve("karaf-data").toString());
        database = open();
    }

    @AfterEach
    void stop() {
        database.close();
        if (karafDataBefore == null) {
            System.clearProperty("karaf.data");
        } else {
            System.setProperty("karaf.data", karafDataBefore);
        }
    }

    /** The store's database: an embedded H2 file that is not the default one under karaf.data. */
    protected CloseableEngineDatabase open() throws Exception {
        return StoreDatabases.openDatabase(StoreDatabases.embeddedUrl(dir.resolve("engine")), "", "");
    }

    @Test
    void anOutboxRowLandsInTheStoresDatabaseAndNoOtherDatabaseIsOpened() throws Exception {
        OutboxComponent component = new OutboxComponent(Configs.of(FhirConfig.class, Map.of()), database);
        String identifier = "o-" + UUID.randomUUID();
        long id = component.outbox().enqueue(new JdbcOutbox.Item("epic", "Observation", "urn:carebus:node-a", identifier,
                null, null, null, "{\"resourceType\":\"Observation\"}".getBytes(StandardCharsets.UTF_8)), false);

        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT identifier_value FROM fhir_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the outbox row is in the store's " + database.kind() + " database").isTrue();
                assertThat(rs.getString(1)).isEqualTo(identifier);
            }
        }
        assertThat(component.dataSource()).as("one pool: the store's").isSameAs(database.dataSource());
        assertThat(Files.exists(dir.resolve("karaf-data/carebus/store.mv.db")))
                .as("no embedded H2 database opened beside the configured one").isFalse();
    }
}
