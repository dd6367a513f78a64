package io.carebus.store.delivery;

import io.carebus.api.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Claims the due rows of a durable delivery queue: a table with {@code id}, {@code status}, {@code next_attempt_millis}
 * and a column naming whom a row goes to (the outbox's EHR, a forward destination). Rows are taken with
 * {@code FOR UPDATE SKIP LOCKED} (PostgreSQL, and H2 2.x with the same syntax) and, in the same transaction, their
 * {@code next_attempt_millis} moves a lease ahead. So a second appliance on the same database skips rows another is
 * claiming, and does not find them due until the lease ran out; the sender's outcome (delivered, retry later, dead)
 * overwrites the lease. An appliance that dies while sending leaves its rows to whoever claims them after the lease:
 * delivery stays at least once, never lost, and never twice at the same time.
 */
public final class DeliveryQueue {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

    private final String table;
    private final String targetColumn;
    private final String pendingStatus;

    /**
     * @param table         the queue's table (an SQL identifier from code, never from input)
     * @param targetColumn  the column naming whom a row goes to
     * @param pendingStatus the status of rows still to send
     */
    public DeliveryQueue(String table, String targetColumn, String pendingStatus) {
        this.table = identifier(table);
        this.targetColumn = identifier(targetColumn);
        this.pendingStatus = pendingStatus;
    }

    private static String identifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not an SQL identifier: " + name);
        }
        return name;
    }

    /** Reads one claimed row; {@code columns} start at index 1, in the order given to {@link #claim}. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /**
     * Claims up to {@code limit} rows for {@code target} due at {@code now}, oldest first, and reads them.
     *
     * @param columns the columns to read (a comma-separated list from code), the first of them {@code id}
     * @param leaseMillis how long the claim holds (longer than sending the rows takes, timeouts included); 0 = no
     *                    lease, for a database only one appliance uses (embedded H2): the rows stay due, as before
     */
    public <T> List<T> claim(DataSource dataSource, String target, long now, long leaseMillis, int limit, String columns,
                             RowReader<T> reader) {
        if (!columns.startsWith("id,") && !columns.equals("id")) {
            throw new IllegalArgumentException("the columns read start with id");
        }
        String select = "SELECT " + columns + " FROM " + table + " WHERE " + targetColumn + " = ? AND status = ? "
                + "AND next_attempt_millis <= ? ORDER BY id FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY FOR UPDATE SKIP LOCKED";
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                List<T> claimed = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    ps.setString(1, target);
                    ps.setString(2, pendingStatus);
                    ps.setLong(3, now);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                            claimed.add(reader.read(rs));
                        }
                    }
                }
                if (!ids.isEmpty() && leaseMillis > 0) {
                    try (PreparedStatement lease = c.prepareStatement("UPDATE " + table + " SET next_attempt_millis = ? WHERE id = ?")) {
                        for (long id : ids) {
                            lease.setLong(1, now + leaseMillis);
                            lease.setLong(2, id);
                            lease.addBatch();
                        }
                        lease.executeBatch();
                    }
                }
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not claim due rows of " + table + ": " + e.getMessage(), e);
        }
    }

    /** Rows claimed but not tried (the sender stopped early) are due again at {@code now}, for whoever claims next. */
    public void release(DataSource dataSource, List<Long> ids, long now) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET next_attempt_millis = ? WHERE id = ? AND status = ? "
                     + "AND next_attempt_millis > ?")) {
            for (long id : ids) {
                ps.setLong(1, now);
                ps.setLong(2, id);
                ps.setString(3, pendingStatus);
                ps.setLong(4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not release claimed rows of " + table + ": " + e.getMessage(), e);
        }
    }
}
