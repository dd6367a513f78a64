package io.carebus.store.internal;

import io.carebus.api.store.EngineDatabase;
import io.carebus.store.H2Durability;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The one pool over the configured database, its schema migrated before the first connection is handed out. On H2
 * it carries the database's shared {@link H2Durability}, so every writer of the appliance shares forced writes.
 */
public final class PooledEngineDatabase implements io.carebus.store.CloseableEngineDatabase {

    /** Connections kept open: the store's writer holds one; dispatchers, routes, the API and other bundles share the rest. */
    static final int POOLED_CONNECTIONS = 16;

    private final DataSource pool;
    private final Kind kind;
    private final String description;
    private final H2Durability h2;

    private PooledEngineDatabase(DataSource pool, Kind kind, String description, H2Durability h2) {
        this.pool = pool;
        this.kind = kind;
        this.description = description;
        this.h2 = h2;
    }

    /** Migrates the database the URL names (H2 or PostgreSQL) and opens the pool over it. */
    public static PooledEngineDatabase open(String url, String user, String password) {
        return open(url, user, password, POOLED_CONNECTIONS);
    }

    static PooledEngineDatabase open(String url, String user, String password, int maxConnections) {
        Kind kind = kindOf(url);
        // Migrated through the database's own data source, before any user can borrow a connection.
        StoreFactory.migrate(StoreFactory.create(url, user, password), kind);
        return new PooledEngineDatabase(StoreFactory.createPooled(url, user, password, maxConnections), kind,
                StoreFactory.describe(url), kind == Kind.H2 ? H2Durability.of(url) : null);
    }

    static Kind kindOf(String url) {
        if (url.startsWith("jdbc:h2:")) {
            return Kind.H2;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Kind.POSTGRESQL;
        }
        throw new IllegalArgumentException("unsupported JDBC URL (H2 or PostgreSQL only): " + StoreFactory.describe(url));
    }

    @Override
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String description() {
        return description;
    }

    /** The H2 database's shared durability, or null on PostgreSQL (whose commit is durable). */
    H2Durability h2Durability() {
        return h2;
    }

    @Override
    public void awaitDurable(Connection connection) throws SQLException {
        if (h2 != null) {
            h2.awaitDurable(h2.committed(), () -> connection, false);
        }
    }

    @Override
    public void close() {
        if (pool instanceof com.zaxxer.hikari.HikariDataSource hikari) {
            hikari.close();
        }
    }
}
