package io.carebus.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.EngineDatabase;
import io.carebus.api.store.InboundMessage;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one engine database as DS builds it from etc/io.carebus.store.cfg: blank {@code jdbc.url} is the embedded H2 file
 * under karaf.data; the message store writes through that same pool (what other bundles get as the
 * {@link EngineDatabase} service). On PostgreSQL in {@link PostgresDatabaseComponentTest}.
 */
class DatabaseComponentTest {

    @TempDir
    Path dir;
    private String karafDataBefore;

    @BeforeEach
    void karafData() {
        karafDataBefore = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.toString());
    }

    @AfterEach
    void restore() {
        if (karafDataBefore == null) {
            System.clearProperty("karaf.data");
        } else {
            System.setProperty("karaf.data", karafDataBefore);
        }
    }

    /** The store's jdbc.* settings under test: blank here, the embedded default. */
    protected Map<String, Object> jdbc() {
        return Map.of();
    }

    protected EngineDatabase.Kind expectedKind() {
        return EngineDatabase.Kind.H2;
    }

    @Test
    void theStoreWritesThroughTheOneDatabaseOtherBundlesAreGiven() throws Exception {
        DatabaseComponent database = new DatabaseComponent(config(jdbc()));
        try {
            assertThat(database.kind()).isEqualTo(expectedKind());
            MessageStoreComponent store = new MessageStoreComponent(config(jdbc()), database);
            String controlId = "C-" + UUID.randomUUID();
            long id;
            try {
                id = store.store(new InboundMessage("mllp-2575", "10.0.0.7:51234", "HL7v2", "ADT^A01", "2.5", controlId,
                        "EPIC^GENHOSP", Instant.now(), "MSH|^~\\&|EPIC|GENHOSP".getBytes(StandardCharsets.UTF_8))).messageId();
            } finally {
                store.deactivate();
            }
            try (Connection c = database.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT control_id FROM message WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo(controlId);
                }
            }
            assertThat(Files.exists(dir.resolve("carebus/store.mv.db"))).isEqualTo(expectedKind() == EngineDatabase.Kind.H2);
        } finally {
            database.deactivate();
        }
    }

    static StoreConfig config(Map<String, Object> given) {
        Map<String, Object> values = new HashMap<>(given);
        return (StoreConfig) Proxy.newProxyInstance(StoreConfig.class.getClassLoader(), new Class<?>[] {StoreConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue() != null ? method.getDefaultValue()
                        : switch (method.getName()) {
                            case "annotationType" -> StoreConfig.class;
                            case "hashCode" -> values.hashCode();
                            case "equals" -> proxy == args[0];
                            default -> "StoreConfig" + values;
                        });
    }
}
