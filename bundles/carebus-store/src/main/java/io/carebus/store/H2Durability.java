package io.carebus.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forcing an embedded H2 database to disk, shared by every writer of that database. H2 commits to its file
 * asynchronously; {@code CHECKPOINT SYNC} forces everything committed so far, whoever committed it. So a writer that
 * has committed only needs a sync that <em>began</em> after its commit: it takes a ticket when it commits and
 * {@link #awaitDurable} returns as soon as such a sync has finished, running one itself only when none has. Writers
 * of different bundles (the message store, the audit trail) share forced writes this way, and the DICOM gateway pays
 * one sync for an instance's store row, index row and audit record.
 * <p>
 * One instance per database URL, kept here because H2 itself keeps one database per URL in the JVM: two instances for
 * one database would still be correct, only sharing less.
 */
public final class H2Durability {

    private static final ConcurrentHashMap<String, H2Durability> BY_URL = new ConcurrentHashMap<>();

    private long committed;
    private long durable;
    private boolean syncing;

    /** The instance for an H2 JDBC URL. */
    public static H2Durability of(String jdbcUrl) {
        return BY_URL.computeIfAbsent(jdbcUrl, url -> new H2Durability());
    }

    /** For a writer of its own (tests), sharing with no one. */
    public static H2Durability unshared() {
        return new H2Durability();
    }

    private H2Durability() {
    }

    /** Call right after a commit: the commit's ticket for {@link #awaitDurable}. */
    public synchronized long committed() {
        return ++committed;
    }

    /** A source of a connection to the database, opened only when this writer has to run the sync itself. */
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    /**
     * Returns once everything committed before {@code ticket} was taken is on disk: at once when a sync that began
     * later has finished, after the one under way when that one began later, else after running one on a connection
     * from {@code connections} (closed afterwards when {@code close}).
     */
    public void awaitDurable(long ticket, ConnectionSource connections, boolean close) throws SQLException {
        long covers;
        synchronized (this) {
            while (durable < ticket && syncing) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the database to be forced to disk", e);
                }
            }
            if (durable >= ticket) {
                return;
            }
            syncing = true;
            covers = committed;
        }
        boolean done = false;
        try {
            Connection c = connections.open();
            try (Statement s = c.createStatement()) {
                s.execute("CHECKPOINT SYNC");
            } finally {
                if (close) {
                    c.close();
                }
            }
            done = true;
        } finally {
            synchronized (this) {
                syncing = false;
                if (done) {
                    durable = Math.max(durable, covers);
                }
                notifyAll();
            }
        }
    }
}
