package io.carebus.store;

import io.carebus.store.internal.StoreFactory;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * The engine's database opened outside the container, for tests, benchmarks and tools: the same JDBC URL rules as
 * {@code etc/io.carebus.store.cfg}, and a schema brought up to date by the store's migrations. Inside the appliance
 * no bundle opens the database itself: each takes the {@link io.carebus.api.store.EngineDatabase} service.
 */
public final class StoreDatabases {

    private StoreDatabases() {
    }

    /** The configured URL, or the embedded H2 database under {@code karaf.data} when none is configured. */
    public static String url(String configuredUrl) {
        return configuredUrl == null || configuredUrl.isBlank()
                ? StoreFactory.embeddedH2Url(Path.of(System.getProperty("karaf.data", "data"), "carebus", "store"))
                : configuredUrl;
    }

    public static String embeddedUrl(Path file) {
        return StoreFactory.embeddedH2Url(file);
    }

    /** The engine database (the one pool, its schema migrated) the URL names, as the appliance's service is. */
    public static CloseableEngineDatabase openDatabase(String jdbcUrl, String user, String password) {
        return io.carebus.store.internal.PooledEngineDatabase.open(jdbcUrl, user, password);
    }

    /** A data source for the URL (H2 or PostgreSQL), its schema migrated. */
    public static DataSource open(String jdbcUrl, String user, String password) {
        DataSource dataSource = StoreFactory.create(jdbcUrl, user, password);
        StoreFactory.migrate(dataSource);
        return dataSource;
    }

    /**
     * Like {@link #open}, with up to {@code maxConnections} connections kept open and reused: for bundles that read
     * and write their tables often (the FHIR outbox). Without a pool every call opens a connection, and an embedded
     * H2 database that nothing else holds open is opened and closed each time. Close it with {@link #close}.
     */
    public static DataSource openPooled(String jdbcUrl, String user, String password, int maxConnections) {
        // Migrated through the database's own data source: the migrations for one database (PostgreSQL's append-only
        // audit trigger) are chosen by its class, which a pool hides.
        StoreFactory.migrate(StoreFactory.create(jdbcUrl, user, password));
        return StoreFactory.createPooled(jdbcUrl, user, password, maxConnections);
    }

    /** Closes the connections of a data source from {@link #openPooled}; other data sources are left alone. */
    public static void close(DataSource dataSource) {
        if (dataSource instanceof com.zaxxer.hikari.HikariDataSource pool) {
            pool.close();
        }
    }

    public static boolean isH2(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:h2:");
    }
}
