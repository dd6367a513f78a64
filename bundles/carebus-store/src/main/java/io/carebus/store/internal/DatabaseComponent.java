package io.carebus.store.internal;

import io.carebus.api.store.EngineDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's one database: reads the {@code jdbc.*} keys of {@code etc/io.carebus.store.cfg} (blank URL =
 * embedded H2 under {@code ${karaf.data}/carebus/store}), migrates the schema, and registers the one pool as the
 * {@link EngineDatabase} service every other bundle takes by reference. A change of that file restarts this
 * component, and with it every component that uses the database, on the new one.
 */
// StoreConfig is designated (metatype) by MessageStoreComponent, which reads the same PID.
@Component(service = EngineDatabase.class, configurationPid = "io.carebus.store", immediate = true)
public class DatabaseComponent implements EngineDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseComponent.class);

    private final PooledEngineDatabase database;

    @Activate
    public DatabaseComponent(StoreConfig config) {
        String url = config.jdbc_url().isBlank()
                ? StoreFactory.embeddedH2Url(Path.of(System.getProperty("karaf.data", "data"), "carebus", "store"))
                : config.jdbc_url().strip();
        String password = config.jdbc_password().isBlank() ? System.getenv().getOrDefault("CAREBUS_STORE_PASSWORD", "")
                : config.jdbc_password();
        this.database = PooledEngineDatabase.open(url, config.jdbc_user(), password);
        LOG.info("Engine database open: {}", database.description());
    }

    /** The pool with its H2 durability, for the store's own writer in this bundle. */
    PooledEngineDatabase pooled() {
        return database;
    }

    @Override
    public DataSource dataSource() {
        return database.dataSource();
    }

    @Override
    public Kind kind() {
        return database.kind();
    }

    @Override
    public String description() {
        return database.description();
    }

    @Override
    public void awaitDurable(Connection connection) throws SQLException {
        database.awaitDurable(connection);
    }

    @Deactivate
    void deactivate() {
        // DS has already deactivated every component that referenced this one: no user is left holding the pool.
        database.close();
    }
}
