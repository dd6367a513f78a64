package io.carebus.fhir.internal;

import io.carebus.api.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code alert_episode} table (migration V12 of the store): each episode of one subject, model and output, kept
 * after it ends. Each write commits before it returns, so an alert raised is remembered across a restart.
 */
final class AlertEpisodes {

    /** Whose alerts: one subject (as the results name it), one model id (any version), one card output. */
    record Key(String subject, String model, String output) {
    }

    record Episode(String id, Instant started, Instant last, Instant ended, double lastRisk) {

        boolean active() {
            return ended == null;
        }

        /** The time of the last score this episode took (its end, once ended). */
        Instant lastSeen() {
            return ended == null ? last : ended;
        }
    }

    private static final String COLUMNS = "episode, started_millis, last_millis, ended_millis, last_risk";

    private final DataSource dataSource;
    private final Clock clock;

    AlertEpisodes(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The key's most recent episode. */
    Optional<Episode> latest(Key key) {
        return query("SELECT " + COLUMNS + " FROM alert_episode WHERE subject = ? AND model = ? AND output_label = ? "
                + "ORDER BY started_millis DESC", key, null);
    }

    /** The key's episode that started last at or before {@code at} (it may have ended before {@code at}). */
    Optional<Episode> startedBy(Key key, Instant at) {
        return query("SELECT " + COLUMNS + " FROM alert_episode WHERE subject = ? AND model = ? AND output_label = ? "
                + "AND started_millis <= ? ORDER BY started_millis DESC", key, at);
    }

    void open(Key key, String episode, Instant at, double risk) {
        execute("INSERT INTO alert_episode (episode, subject, model, output_label, status, started_millis, last_millis, last_risk, "
                + "updated_millis) VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?)", ps -> {
                    ps.setString(1, episode);
                    ps.setString(2, key.subject());
                    ps.setString(3, key.model());
                    ps.setString(4, key.output());
                    ps.setLong(5, at.toEpochMilli());
                    ps.setLong(6, at.toEpochMilli());
                    ps.setDouble(7, risk);
                    ps.setLong(8, clock.millis());
                });
    }

    void update(String episode, Instant at, double risk) {
        execute("UPDATE alert_episode SET last_millis = ?, last_risk = ?, updated_millis = ? WHERE episode = ? AND status = 'ACTIVE'", ps -> {
            ps.setLong(1, at.toEpochMilli());
            ps.setDouble(2, risk);
            ps.setLong(3, clock.millis());
            ps.setString(4, episode);
        });
    }

    void end(String episode, Instant at, double risk) {
        execute("UPDATE alert_episode SET status = 'ENDED', last_millis = ?, ended_millis = ?, last_risk = ?, updated_millis = ? "
                + "WHERE episode = ? AND status = 'ACTIVE'", ps -> {
                    ps.setLong(1, at.toEpochMilli());
                    ps.setLong(2, at.toEpochMilli());
                    ps.setDouble(3, risk);
                    ps.setLong(4, clock.millis());
                    ps.setString(5, episode);
                });
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private void execute(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            c.setAutoCommit(true);
            binder.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not record an alert episode: " + e.getMessage(), e);
        }
    }

    private Optional<Episode> query(String sql, Key key, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key.subject());
            ps.setString(2, key.model());
            ps.setString(3, key.output());
            if (at != null) {
                ps.setLong(4, at.toEpochMilli());
            }
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long ended = rs.getLong(4);
                Instant end = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
                return Optional.of(new Episode(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3)),
                        end, rs.getDouble(5)));
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read alert episodes: " + e.getMessage(), e);
        }
    }
}
