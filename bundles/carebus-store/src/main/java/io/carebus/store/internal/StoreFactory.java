package io.carebus.store.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** JDBC data sources for the supported databases, created directly so no JDBC service registry is needed. */
public final class StoreFactory {

    private StoreFactory() {
    }

    /** Opens the database, migrates its schema and starts the store on it. */
    public static JdbcMessageStore open(String url, String user, String password, Duration duplicateWindow, int maxBatch) {
        return open(url, user, password, duplicateWindow, maxBatch, null);
    }

    static JdbcMessageStore open(String url, String user, String password, Duration duplicateWindow, int maxBatch,
                                 PayloadCipher cipher) {
        // Pooled: every find, claim and state change used to open a connection of its own (a new session in H2; a new
        // TCP connection and login in PostgreSQL), which was the largest cost of reading a message back.
        PooledEngineDatabase database = PooledEngineDatabase.open(url, user, password);
        return new JdbcMessageStore(database, duplicateWindow, maxBatch, Clock.systemUTC(), cipher, database::close);
    }

    /** "id=base64,id2=base64" to a map; the secret itself never appears in an exception message. */
    static java.util.Map<String, String> parseKeys(String spec) {
        java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("payload keys must be written id=base64,id2=base64");
            }
            keys.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
        }
        return keys;
    }

    /** Flyway finds its migrations and database plugins through this bundle's class loader (it embeds Flyway). */
    public static void migrate(DataSource dataSource) {
        // By class name: the PostgreSQL driver is optional (absent where only H2 is used).
        migrate(dataSource, dataSource.getClass().getName().startsWith("org.postgresql.")
                ? io.carebus.api.store.EngineDatabase.Kind.POSTGRESQL : io.carebus.api.store.EngineDatabase.Kind.H2);
    }

    static void migrate(DataSource dataSource, io.carebus.api.store.EngineDatabase.Kind kind) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(StoreFactory.class.getClassLoader());
        try {
            Flyway.configure(StoreFactory.class.getClassLoader())
                    .dataSource(dataSource)
                    // db/vendor/<database>: what only one database can do (PostgreSQL's append-only audit trigger).
                    .locations(kind == io.carebus.api.store.EngineDatabase.Kind.POSTGRESQL
                            ? new String[] {"classpath:db/migration", "classpath:db/vendor/postgresql"}
                            : new String[] {"classpath:db/migration"})
                    .table("carebus_schema_history")
                    .load()
                    .migrate();
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    public static String embeddedH2Url(Path base) {
        // DB_CLOSE_ON_EXIT=FALSE: the bundle closes the database, not a JVM shutdown hook racing with it.
        return "jdbc:h2:file:" + base.toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    public static DataSource create(String url, String user, String password) {
        if (url.startsWith("jdbc:h2:")) {
            org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
            h2.setURL(url);
            h2.setUser(user.isBlank() ? "sa" : user);
            h2.setPassword(password);
            return h2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
            pg.setURL(url);
            pg.setUser(user);
            pg.setPassword(password);
            return pg;
        }
        throw new IllegalArgumentException("unsupported JDBC URL (H2 or PostgreSQL only): " + describe(url));
    }

    /**
     * A small pool (HikariCP) over the database's own data source. A connection idle for more than half a second is
     * checked before it is handed out, and one the database ended is dropped, not handed out again.
     */
    public static DataSource createPooled(String url, String user, String password, int maxConnections) {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setDataSource(create(url, user, password));
        config.setPoolName("carebus-" + describe(url).replaceAll("[^A-Za-z0-9]+", "-"));
        config.setMaximumPoolSize(Math.max(1, maxConnections));
        // Connections are opened as they are needed and closed after ten idle minutes, down to one.
        config.setMinimumIdle(1);
        config.setConnectionTimeout(java.util.concurrent.TimeUnit.SECONDS.toMillis(30));
        // The pool's own thread factory: a Karaf bundle's context class loader is not the one Hikari was loaded by.
        config.setThreadFactory(r -> {
            Thread t = new Thread(r, "carebus-db-pool");
            t.setDaemon(true);
            return t;
        });
        // Opened at first use, not here: a database not yet reachable must not fail the component's activation.
        config.setInitializationFailTimeout(-1);
        return new com.zaxxer.hikari.HikariDataSource(config);
    }

    /** The URL without anything after the first ';' or '?', where credentials may sit. */
    static String describe(String url) {
        int cut = url.length();
        for (char c : new char[] {';', '?'}) {
            int i = url.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        return url.substring(0, cut);
    }
}
