package io.carebus.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import javax.sql.DataSource;

/** Per destination, the last audit sequence number it has taken (table audit_export_cursor). */
final class ExportCursors {

    private final DataSource dataSource;

    ExportCursors(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    OptionalLong get(String destination) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT last_seq FROM audit_export_cursor WHERE destination = ?")) {
            s.setString(1, destination);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    void set(String destination, long lastSeq) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE audit_export_cursor SET last_seq = ?, updated_millis = ? WHERE destination = ?")) {
                update.setLong(1, lastSeq);
                update.setLong(2, System.currentTimeMillis());
                update.setString(3, destination);
                if (update.executeUpdate() == 1) {
                    return;
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO audit_export_cursor (destination, last_seq, updated_millis) VALUES (?, ?, ?)")) {
                insert.setString(1, destination);
                insert.setLong(2, lastSeq);
                insert.setLong(3, System.currentTimeMillis());
                insert.executeUpdate();
            }
        }
    }

    long head() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM audit_record");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
