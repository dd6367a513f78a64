package io.carebus.deid.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.deid.Hl7Deidentifier;
import io.carebus.store.CloseableEngineDatabase;
import io.carebus.store.StoreDatabases;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24: "a de-identification vault entry [was] written to an embedded H2 file under data/carebus/: the other
 * bundles' blank jdbc.url means H2. A hospital that backs up its PostgreSQL would lose the re-identification vault."
 * The de-identification service, as DS activates it, keeps its vault in the engine database it is given (the store's
 * one database) and opens no database of its own under karaf.data. Here on an H2 file elsewhere; on PostgreSQL in
 * {@link PostgresVaultInEngineDatabaseTest}.
 */
class VaultInEngineDatabaseTest {

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
    void aVaultEntryLandsInTheStoresDatabaseAndNoOtherDatabaseIsOpened() throws Exception {
        String key = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        DeidService deid = new DeidService(config(Map.of("keys", "k1=" + key, "key_directory", dir.resolve("keys").toString())),
                database);
        String mrn = "MRN-" + UUID.randomUUID().toString().substring(0, 8);
        Hl7Deidentifier.Result result = deid.deidentifyHl7(String.join("\r",
                "MSH|^~\\&|EPIC|GENHOSP|CAREBUS|CAREBUS|20261127101500||ADT^A01^ADT_A01|C1|P|2.5.1",
                "EVN|A01|20261127101500",
                "PID|1||" + mrn + "^^^GENHOSP^MR||Doe^Jane||19700101|F"), "safe-harbor", "test");
        assertThat(result.pseudonym()).isNotNull();

        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM deid_vault WHERE pseudonym = ?")) {
            ps.setString(1, result.pseudonym());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("the vault entry is in the store's " + database.kind() + " database").isEqualTo(1);
            }
        }
        assertThat(deid.reidentify(result.pseudonym(), "test")).isPresent();
        assertThat(Files.exists(dir.resolve("karaf-data/carebus/store.mv.db")))
                .as("no embedded H2 database opened beside the configured one").isFalse();
    }

    /** The component's configuration with these values and its defaults for the rest, as DS hands it over. */
    private static DeidConfig config(Map<String, Object> values) {
        return (DeidConfig) Proxy.newProxyInstance(DeidConfig.class.getClassLoader(), new Class<?>[] {DeidConfig.class},
                (proxy, method, args) -> values.containsKey(method.getName()) ? values.get(method.getName())
                        : method.getDefaultValue() != null ? method.getDefaultValue()
                        : switch (method.getName()) {
                            case "annotationType" -> DeidConfig.class;
                            case "hashCode" -> values.hashCode();
                            case "equals" -> proxy == args[0];
                            default -> "DeidConfig" + values;
                        });
    }
}
