package io.carebus.dicom.internal;

import io.carebus.api.store.StoreUnavailableException;
import io.carebus.store.delivery.DeliveryQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** The {@code dicom_forward} table: what each destination still has to receive, has received, or refused. */
final class JdbcForwardQueue {

    static final String PENDING = "PENDING";
    static final String SENT = "SENT";
    static final String DEAD = "DEAD";

    record Entry(long id, String destination, long messageId, int attempts) {
    }

    /** How long a claimed entry stays with its sender where several appliances share the database. */
    static final long SHARED_DATABASE_LEASE_MILLIS = java.util.concurrent.TimeUnit.MINUTES.toMillis(10);
    private static final DeliveryQueue QUEUE = new DeliveryQueue("dicom_forward", "destination", PENDING);

    private final DataSource dataSource;
    private final Clock clock;
    private final long claimLeaseMillis;

    JdbcForwardQueue(DataSource dataSource, Clock clock) {
        this(dataSource, clock, 0);
    }

    /** @param claimLeaseMillis how long a claimed entry stays with its sender (0: no lease, one appliance only) */
    JdbcForwardQueue(DataSource dataSource, Clock clock, long claimLeaseMillis) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.claimLeaseMillis = claimLeaseMillis;
    }

    /** False when the instance was already queued for that destination (whatever became of it). */
    boolean add(String destination, long messageId) {
        long now = clock.millis();
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO dicom_forward (destination, message_id, status, attempts, "
                     + "created_millis, next_attempt_millis) VALUES (?, ?, ?, 0, ?, ?)")) {
            insert.setString(1, destination);
            insert.setLong(2, messageId);
            insert.setString(3, PENDING);
            insert.setLong(4, now);
            insert.setLong(5, now);
            insert.executeUpdate();
            return true;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return false;
            }
            throw new StoreUnavailableException("could not queue a DICOM instance for " + destination, e);
        }
    }

    /**
     * Pending entries whose time has come, oldest first, claimed: with a lease (several appliances on one PostgreSQL)
     * no other destination thread gets them until they are answered or the lease ran out ({@link DeliveryQueue}).
     */
    List<Entry> due(String destination, int limit) {
        return QUEUE.claim(dataSource, destination, clock.millis(), claimLeaseMillis, limit, "id, message_id, attempts",
                rs -> new Entry(rs.getLong(1), destination, rs.getLong(2), rs.getInt(3)));
    }

    void sent(long id, int status) {
        update(id, SENT, status, null, 0, true);
    }

    void dead(long id, Integer status, String error) {
        update(id, DEAD, status, error, 0, true);
    }

    void retry(long id, Integer status, String error, long delayMillis) {
        update(id, PENDING, status, error, delayMillis, false);
    }

    private void update(long id, String state, Integer status, String error, long delayMillis, boolean done) {
        long now = clock.millis();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE dicom_forward SET status = ?, attempts = attempts + 1, "
                     + "next_attempt_millis = ?, done_millis = ?, last_status = ?, last_error = ? WHERE id = ?")) {
            update.setString(1, state);
            update.setLong(2, now + delayMillis);
            if (done) {
                update.setLong(3, now);
            } else {
                update.setNull(3, Types.BIGINT);
            }
            if (status == null) {
                update.setNull(4, Types.INTEGER);
            } else {
                update.setInt(4, status);
            }
            update.setString(5, error == null ? null : error.length() > 1000 ? error.substring(0, 1000) : error);
            update.setLong(6, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not update the DICOM forward queue", e);
        }
    }

    /** Puts a destination's DEAD entries back in the queue; how many. */
    int retryDead(String destination) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE dicom_forward SET status = ?, attempts = 0, next_attempt_millis = ?, "
                     + "done_millis = NULL WHERE destination = ? AND status = ?")) {
            update.setString(1, PENDING);
            update.setLong(2, clock.millis());
            update.setString(3, destination);
            update.setString(4, DEAD);
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not update the DICOM forward queue", e);
        }
    }

    Map<String, Integer> counts(String destination) {
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of(PENDING, 0, SENT, 0, DEAD, 0));
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT status, COUNT(*) FROM dicom_forward WHERE destination = ? GROUP BY status")) {
            select.setString(1, destination);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
            return counts;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the DICOM forward queue", e);
        }
    }

    /** The last error of a DEAD or retried entry, for tests and the console. */
    String lastError(String destination, long messageId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT last_error FROM dicom_forward WHERE destination = ? AND message_id = ?")) {
            select.setString(1, destination);
            select.setLong(2, messageId);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the DICOM forward queue", e);
        }
    }
}
