package io.carebus.api.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The appliance's one database, owned by carebus-store and registered as an OSGi service: its one connection pool,
 * configured once by the {@code jdbc.*} keys of {@code etc/io.carebus.store.cfg} (embedded H2 when blank, else
 * PostgreSQL), with every CareBus table already migrated when the service appears. Bundles that keep tables of their
 * own (audit trail, outbox, de-identification vault, DICOM index, patient context) take it by {@code @Reference}
 * instead of opening connections of their own, so that everything the appliance records is in the database its
 * operator backs up. Never close the data source: the store closes it when it goes away.
 */
public interface EngineDatabase {

    /** The databases CareBus runs on; some migrations and statements differ between them. */
    enum Kind {
        /** Embedded H2 (file database under {@code karaf.data}); the default. */
        H2,
        /** PostgreSQL, for production. */
        POSTGRESQL
    }

    /** The shared pool. Connections are borrowed and closed (returned) by each use. */
    DataSource dataSource();

    Kind kind();

    /** The JDBC URL without anything after its first ';' or '?' (where credentials may sit): for logs and health. */
    String description();

    /**
     * Returns once what {@code connection} has just committed is on disk. On PostgreSQL at once (its commit waits for
     * the WAL flush); on H2, whose commits reach the file asynchronously, after a forced write that began after the
     * commit, shared with every other writer of the database.
     */
    void awaitDurable(Connection connection) throws SQLException;
}
