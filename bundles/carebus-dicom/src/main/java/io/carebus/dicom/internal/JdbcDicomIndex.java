package io.carebus.dicom.internal;

import io.carebus.dicom.DicomInstance;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code dicom_instance} table: where each stored instance's file is, and its study and series. */
final class JdbcDicomIndex {

    private static final String COLUMNS = "message_id, study_uid, series_uid, sop_instance_uid, sop_class_uid, transfer_syntax, "
            + "modality, file_path, file_size, sha256, calling_ae, received_millis";

    private final DataSource dataSource;
    private final Path root;
    private final boolean postgres;

    /**
     * @param root the folder file paths are relative to
     * @param postgres the database is PostgreSQL: an index row is committed without waiting for its own WAL flush
     */
    JdbcDicomIndex(DataSource dataSource, Path root, boolean postgres) {
        this.dataSource = dataSource;
        this.root = root;
        this.postgres = postgres;
    }

    /**
     * Records the instance; a second call for the same message (a resend after a crash) changes nothing. On PostgreSQL
     * the row does not wait for a WAL flush of its own (1.5–2 ms per instance on one association): the instance's
     * audit record commits right after it and flushes the WAL past it, and a row lost to a power cut anyway is
     * written again at start for every unprocessed instance (DicomGateway.reindex). H2's commit never waits: the
     * audit record's forced write covers it.
     */
    void add(DicomInstance instance) {
        try (Connection c = dataSource.getConnection()) {
            if (postgres) {
                c.setAutoCommit(false);
                try (java.sql.Statement s = c.createStatement()) {
                    s.execute("SET LOCAL synchronous_commit TO OFF");
                }
            }
            try {
                insert(c, instance);
                if (postgres) {
                    c.commit();
                }
            } catch (SQLException e) {
                if (postgres) {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                return;
            }
            throw new StoreUnavailableException("could not index DICOM instance of message " + instance.messageId(), e);
        }
    }

    private void insert(Connection c, DicomInstance instance) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO dicom_instance (" + COLUMNS
                     + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setLong(1, instance.messageId());
            insert.setString(2, instance.studyInstanceUid());
            insert.setString(3, instance.seriesInstanceUid());
            insert.setString(4, instance.sopInstanceUid());
            insert.setString(5, instance.sopClassUid());
            insert.setString(6, instance.transferSyntaxUid());
            insert.setString(7, instance.modality());
            insert.setString(8, root.relativize(instance.file()).toString());
            insert.setLong(9, instance.size());
            insert.setString(10, instance.sha256());
            insert.setString(11, instance.callingAe());
            insert.setLong(12, instance.receivedAt().toEpochMilli());
            insert.executeUpdate();
        }
    }

    Optional<DicomInstance> find(long messageId) {
        List<DicomInstance> found = query("SELECT " + COLUMNS + " FROM dicom_instance WHERE message_id = ?", messageId);
        return found.stream().findFirst();
    }

    List<DicomInstance> study(String studyUid) {
        return query("SELECT " + COLUMNS + " FROM dicom_instance WHERE study_uid = ? ORDER BY series_uid, message_id", studyUid);
    }

    private List<DicomInstance> query(String sql, Object parameter) {
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(sql)) {
            select.setObject(1, parameter);
            List<DicomInstance> found = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new DicomInstance(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), root.resolve(rs.getString(8)), rs.getLong(9), rs.getString(10),
                            rs.getString(11), Instant.ofEpochMilli(rs.getLong(12))));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreUnavailableException("could not read the DICOM index", e);
        }
    }
}
