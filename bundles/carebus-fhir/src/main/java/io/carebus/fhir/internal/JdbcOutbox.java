package io.carebus.fhir.internal;

import io.carebus.api.outbox.Outbox;
import io.carebus.api.outbox.OutboxEntry;
import io.carebus.api.outbox.OutboxStatus;
import io.carebus.api.store.StoreUnavailableException;
import io.carebus.store.delivery.DeliveryQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The outbox table ({@code fhir_outbox}, migration V8 of the store). Each write commits before it returns. A result
 * is identified per EHR by its engine identifier: enqueuing it again finds the existing row instead of adding one,
 * which is what makes a re-run route, a reprocessed message or a crash between route and status harmless.
 */
public final class JdbcOutbox implements Outbox {

    /** A result to enqueue; {@code body} is its FHIR JSON. */
    public record Item(String ehr, String resourceType, String identifierSystem, String identifierValue, String subject, String code,
                       Long sourceMessage, byte[] body, Long revision) {

        /** A result that never changes: queued once per identifier. */
        public Item(String ehr, String resourceType, String identifierSystem, String identifierValue, String subject, String code,
                    Long sourceMessage, byte[] body) {
            this(ehr, resourceType, identifierSystem, identifierValue, subject, code, sourceMessage, body, null);
        }
    }

    /** A result due for sending. */
    public record Due(long id, String resourceType, String identifierSystem, String identifierValue, byte[] body, int attempts,
                      Long revision) {
    }

    private static final String SUMMARY_COLUMNS = "id, ehr, resource_type, identifier_system, identifier_value, subject, code, "
            + "source_message, status, attempts, created_millis, next_attempt_millis, done_millis, last_http_status, last_outcome, location";

    /** How long a claimed entry stays with its sender where several appliances share the database. */
    static final long SHARED_DATABASE_LEASE_MILLIS = java.util.concurrent.TimeUnit.MINUTES.toMillis(10);
    private static final DeliveryQueue QUEUE = new DeliveryQueue("fhir_outbox", "ehr", "PENDING");

    private final DataSource dataSource;
    private final Clock clock;
    private final long claimLeaseMillis;

    /** An outbox in a database only this appliance uses (embedded H2): entries are claimed without a lease. */
    public JdbcOutbox(DataSource dataSource, Clock clock) {
        this(dataSource, clock, 0);
    }

    /** @param claimLeaseMillis how long a claimed entry stays with its sender (0: no lease, one appliance only) */
    public JdbcOutbox(DataSource dataSource, Clock clock, long claimLeaseMillis) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.claimLeaseMillis = claimLeaseMillis;
    }

    /**
     * Stores the item (PENDING, due now; LOCAL when {@code local}); returns its id, or the id of the row it already has.
     * An item with a revision newer than the queued one's replaces its body and is due again (sent again if it was
     * delivered or dead); an older or equal revision changes nothing.
     */
    public long enqueue(Item item, boolean local) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            Optional<Long> existing = existing(c, item);
            if (existing.isPresent()) {
                if (item.revision() != null) {
                    revise(c, existing.get(), item, local);
                }
                return existing.get();
            }
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO fhir_outbox (ehr, resource_type, identifier_system, "
                    + "identifier_value, subject, code, source_message, body, status, attempts, created_millis, next_attempt_millis, "
                    + "revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)", new String[] {"id"})) {
                ps.setString(1, item.ehr());
                ps.setString(2, item.resourceType());
                ps.setString(3, item.identifierSystem());
                ps.setString(4, item.identifierValue());
                ps.setString(5, truncate(item.subject(), 255));
                ps.setString(6, truncate(item.code(), 255));
                if (item.sourceMessage() == null) {
                    ps.setNull(7, Types.BIGINT);
                } else {
                    ps.setLong(7, item.sourceMessage());
                }
                ps.setBytes(8, item.body());
                ps.setString(9, (local ? OutboxStatus.LOCAL : OutboxStatus.PENDING).name());
                ps.setLong(10, now);
                ps.setLong(11, now);
                if (item.revision() == null) {
                    ps.setNull(12, Types.BIGINT);
                } else {
                    ps.setLong(12, item.revision());
                }
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            } catch (SQLException e) {
                // Two writers raced for the same identifier: the unique index kept one row; that row is the answer.
                if ("23505".equals(e.getSQLState())) {
                    long id = existing(c, item).orElseThrow(() -> e);
                    if (item.revision() != null) {
                        revise(c, id, item, local);
                    }
                    return id;
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not store a " + item.resourceType() + " in the outbox: " + e.getMessage(), e);
        }
    }

    private void revise(Connection c, long id, Item item, boolean local) throws SQLException {
        // One conditional UPDATE: two writers with different revisions leave the newer one, whatever their order.
        try (PreparedStatement ps = c.prepareStatement("UPDATE fhir_outbox SET body = ?, revision = ?, status = ?, attempts = 0, "
                + "next_attempt_millis = ?, done_millis = NULL, last_outcome = ? WHERE id = ? AND (revision IS NULL OR revision < ?)")) {
            ps.setBytes(1, item.body());
            ps.setLong(2, item.revision());
            ps.setString(3, (local ? OutboxStatus.LOCAL : OutboxStatus.PENDING).name());
            ps.setLong(4, clock.millis());
            ps.setString(5, "revised (revision " + item.revision() + ")");
            ps.setLong(6, id);
            ps.setLong(7, item.revision());
            ps.executeUpdate();
        }
    }

    private static Optional<Long> existing(Connection c, Item item) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM fhir_outbox WHERE ehr = ? AND identifier_system = ? AND identifier_value = ?")) {
            ps.setString(1, item.ehr());
            ps.setString(2, item.identifierSystem());
            ps.setString(3, item.identifierValue());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    /**
     * PENDING entries of the EHR due by now, oldest first, claimed: with a lease (several appliances on one PostgreSQL)
     * no other sender gets them until they are answered or the lease ran out ({@link DeliveryQueue}).
     */
    public List<Due> due(String ehr, int limit) {
        return QUEUE.claim(dataSource, ehr, clock.millis(), claimLeaseMillis, limit,
                "id, resource_type, identifier_system, identifier_value, body, attempts, revision", rs -> {
                    long read = rs.getLong(7);
                    Long revision = rs.wasNull() ? null : read;
                    return new Due(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBytes(5), rs.getInt(6), revision);
                });
    }

    /** Claimed entries the sender did not try (it stopped early): due again now, for whoever claims next. */
    public void release(List<Due> untried) {
        QUEUE.release(dataSource, untried.stream().map(Due::id).toList(), clock.millis());
    }

    /** When the EHR's next PENDING entry is due (epoch millis), if it has any. */
    public Optional<Long> nextDue(String ehr) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT MIN(next_attempt_millis) FROM fhir_outbox WHERE ehr = ? AND status = 'PENDING'")) {
            ps.setString(1, ehr);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long next = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(next);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the outbox: " + e.getMessage(), e);
        }
    }

    /*
     * The outcome of sending one due entry is recorded only for the revision that was sent: a newer revision queued
     * meanwhile stays due and is sent in its turn.
     */
    public void delivered(Due entry, int attempts, int httpStatus, String location, String outcome) {
        update(entry, "UPDATE fhir_outbox SET status = 'DELIVERED', attempts = ?, done_millis = ?, last_http_status = ?, location = ?, "
                + "last_outcome = ? WHERE id = ?", attempts, clock.millis(), httpStatus, truncate(location, 1000), truncate(outcome, 4000));
    }

    public void retryLater(Due entry, int attempts, Instant next, Integer httpStatus, String outcome) {
        update(entry, "UPDATE fhir_outbox SET attempts = ?, next_attempt_millis = ?, last_http_status = ?, last_outcome = ? WHERE id = ?",
                attempts, next.toEpochMilli(), httpStatus, truncate(outcome, 4000));
    }

    public void dead(Due entry, int attempts, Integer httpStatus, String outcome) {
        update(entry, "UPDATE fhir_outbox SET status = 'DEAD', attempts = ?, done_millis = ?, last_http_status = ?, last_outcome = ? "
                + "WHERE id = ?", attempts, clock.millis(), httpStatus, truncate(outcome, 4000));
    }

    /** {@code attempts, time (millis), HTTP status (may be null), then strings (may be null)}, then the id and revision. */
    private void update(Due entry, String sql, int attempts, long millis, Integer httpStatus, String... texts) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql + " AND COALESCE(revision, -1) = ?")) {
            c.setAutoCommit(true);
            ps.setInt(1, attempts);
            ps.setLong(2, millis);
            if (httpStatus == null) {
                ps.setNull(3, Types.INTEGER);
            } else {
                ps.setInt(3, httpStatus);
            }
            int i = 4;
            for (String text : texts) {
                ps.setString(i++, text);
            }
            ps.setLong(i++, entry.id());
            ps.setLong(i, entry.revision() == null ? -1 : entry.revision());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not update outbox entry " + entry.id() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<OutboxEntry> list(OutboxStatus status, String ehr, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + SUMMARY_COLUMNS + " FROM fhir_outbox WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        if (status != null) {
            sql.append(" AND status = ?");
            args.add(status.name());
        }
        if (ehr != null) {
            sql.append(" AND ehr = ?");
            args.add(ehr);
        }
        sql.append(" ORDER BY id DESC");
        return query(sql.toString(), args, Math.max(1, limit));
    }

    @Override
    public Optional<OutboxEntry> find(long id) {
        return query("SELECT " + SUMMARY_COLUMNS + " FROM fhir_outbox WHERE id = " + id, List.of(), 1).stream().findFirst();
    }

    @Override
    public boolean retry(long id, String requestedBy) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE fhir_outbox SET status = 'PENDING', attempts = 0, next_attempt_millis = ?, done_millis = NULL, "
                        + "last_outcome = ? WHERE id = ? AND status IN ('DEAD', 'PENDING')")) {
            c.setAutoCommit(true);
            ps.setLong(1, clock.millis());
            ps.setString(2, "retry requested by " + truncate(requestedBy, 100));
            ps.setLong(3, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not retry outbox entry " + id + ": " + e.getMessage(), e);
        }
    }

    /** Counts per status for one EHR (health details). */
    public java.util.Map<OutboxStatus, Long> counts(String ehr) {
        java.util.Map<OutboxStatus, Long> counts = new java.util.EnumMap<>(OutboxStatus.class);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status, COUNT(*) FROM fhir_outbox WHERE ehr = ? GROUP BY status")) {
            ps.setString(1, ehr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(OutboxStatus.valueOf(rs.getString(1)), rs.getLong(2));
                }
            }
            return counts;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not count the outbox: " + e.getMessage(), e);
        }
    }

    /** A stored result for the local {@code /fhir}: its outbox id, FHIR JSON, and when the engine stored it. */
    public record Stored(long id, byte[] body, long storedMillis) {
    }

    /**
     * Results of a type, optionally for one subject reference and one code ({@code system|code} or a bare code), one
     * per engine identifier (the same result queued for several EHRs is one result), newest first.
     */
    public List<Stored> search(String resourceType, String subject, String code, int limit) {
        return search(resourceType, subject, null, code, limit);
    }

    /**
     * Also by the subject's identifier ({@code system|value}, or a value in any system): results whose subject is a
     * reference by identifier, as re-identified results are; a literal reference ({@code Patient/1}) does not match.
     */
    public List<Stored> search(String resourceType, String subject, String subjectIdentifier, String code, int limit) {
        StringBuilder sql = new StringBuilder("SELECT MIN(id), identifier_system, identifier_value FROM fhir_outbox WHERE resource_type = ?");
        List<String> args = new ArrayList<>(List.of(resourceType));
        if (subject != null) {
            sql.append(" AND subject = ?");
            args.add(subject);
        }
        if (subjectIdentifier != null) {
            int bar = subjectIdentifier.indexOf('|');
            if (bar > 0) {
                sql.append(" AND subject = ?");
                args.add(subjectIdentifier);
            } else {
                String value = bar == 0 ? subjectIdentifier.substring(1) : subjectIdentifier;
                sql.append(" AND subject LIKE ? ESCAPE '\\'");
                args.add("%|" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"));
            }
        }
        if (code != null) {
            if (code.contains("|")) {
                sql.append(" AND code = ?");
                args.add(code);
            } else {
                sql.append(" AND (code = ? OR code LIKE ?)");
                args.add(code);
                args.add("%|" + code.replace("%", "").replace("_", ""));
            }
        }
        sql.append(" GROUP BY identifier_system, identifier_value ORDER BY MIN(id) DESC");
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            List<Stored> found = new ArrayList<>();
            for (long id : ids) {
                read(c, id).ifPresent(found::add);
            }
            return found;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not search the outbox: " + e.getMessage(), e);
        }
    }

    /**
     * A result written by PUT to an id the engine assigned (Binary, Provenance: no identifier element), by that id;
     * the id stays what other results reference (e.g. a DocumentReference's {@code Binary/cb-...}).
     */
    public Optional<Stored> readByClientId(String resourceType, String clientId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT MIN(id) FROM fhir_outbox WHERE resource_type = ? AND identifier_system = ? AND identifier_value = ?")) {
            ps.setString(1, resourceType);
            ps.setString(2, EhrClient.BY_ID);
            ps.setString(3, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                long id = rs.next() ? rs.getLong(1) : 0;
                return rs.wasNull() || id == 0 ? Optional.empty() : read(c, id);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the outbox: " + e.getMessage(), e);
        }
    }

    public Optional<Stored> read(String resourceType, long id) {
        try (Connection c = dataSource.getConnection()) {
            return read(c, id).filter(s -> resourceType.equals(typeOf(c, id)));
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the outbox: " + e.getMessage(), e);
        }
    }

    private static String typeOf(Connection c, long id) {
        try (PreparedStatement ps = c.prepareStatement("SELECT resource_type FROM fhir_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the outbox: " + e.getMessage(), e);
        }
    }

    private static Optional<Stored> read(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT body, created_millis FROM fhir_outbox WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Stored(id, rs.getBytes(1), rs.getLong(2))) : Optional.empty();
            }
        }
    }

    private List<OutboxEntry> query(String sql, List<String> args, int limit) {
        List<OutboxEntry> entries = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setString(i + 1, args.get(i));
            }
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long source = rs.getLong(8);
                    Long sourceMessage = rs.wasNull() ? null : source;
                    long done = rs.getLong(13);
                    Instant doneAt = rs.wasNull() ? null : Instant.ofEpochMilli(done);
                    int http = rs.getInt(14);
                    Integer lastHttp = rs.wasNull() ? null : http;
                    entries.add(new OutboxEntry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4) + "|" + rs.getString(5),
                            rs.getString(6), rs.getString(7), sourceMessage, OutboxStatus.valueOf(rs.getString(9)), rs.getInt(10),
                            Instant.ofEpochMilli(rs.getLong(11)), Instant.ofEpochMilli(rs.getLong(12)), doneAt, lastHttp,
                            rs.getString(15), rs.getString(16)));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the outbox: " + e.getMessage(), e);
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
