package io.carebus.store.internal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes the bodies of PROCESSED messages older than the retention period, keeping their metadata and history.
 * Every body is first written, as stored (so still encrypted when payload encryption is on), to a zip archive that is
 * forced to disk and readable by its owner only; only then are the bodies removed from the database.
 */
final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final int BATCH = 500;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final DataSource dataSource;
    private final Path archiveDirectory;
    private final Clock clock;

    Retention(DataSource dataSource, Path archiveDirectory, Clock clock) {
        this.dataSource = dataSource;
        this.archiveDirectory = archiveDirectory;
        this.clock = clock;
    }

    /** Archives then prunes every PROCESSED body received before {@code cutoff}; returns how many were pruned. */
    int pruneBefore(Instant cutoff) throws IOException, SQLException {
        int total = 0;
        while (true) {
            int n = pruneBatch(cutoff);
            total += n;
            if (n < BATCH) {
                return total;
            }
        }
    }

    private int pruneBatch(Instant cutoff) throws IOException, SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Long> ids = new ArrayList<>();
            Path archive = archiveDirectory.resolve("messages-" + STAMP.format(clock.instant()) + "-" + System.nanoTime() + ".zip");
            try (PreparedStatement select = c.prepareStatement("SELECT id, payload_key_id, payload FROM message"
                    + " WHERE status = 'PROCESSED' AND received_at < ? AND payload IS NOT NULL ORDER BY id FETCH FIRST "
                    + BATCH + " ROWS ONLY")) {
                select.setTimestamp(1, Timestamp.from(cutoff));
                try (ResultSet rs = select.executeQuery()) {
                    ZipOutputStream zip = null;
                    try {
                        while (rs.next()) {
                            if (zip == null) {
                                zip = new ZipOutputStream(new BufferedOutputStream(openOwnerOnly(archive)));
                            }
                            long id = rs.getLong(1);
                            String keyId = rs.getString(2);
                            zip.putNextEntry(new ZipEntry(id + (keyId == null ? ".msg" : "." + keyId + ".aesgcm")));
                            zip.write(rs.getBytes(3));
                            zip.closeEntry();
                            ids.add(id);
                        }
                    } finally {
                        if (zip != null) {
                            zip.close();
                        }
                    }
                }
            }
            if (ids.isEmpty()) {
                return 0;
            }
            try (FileChannel channel = FileChannel.open(archive, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            // The canonical (FHIR) form is PHI too, and can be mapped again from an archived body.
            try (PreparedStatement prune = c.prepareStatement("UPDATE message SET payload = NULL, pruned_at = ? WHERE id = ?");
                 PreparedStatement canonical = c.prepareStatement("DELETE FROM message_canonical WHERE message_id = ?")) {
                Timestamp now = Timestamp.from(clock.instant());
                for (long id : ids) {
                    prune.setTimestamp(1, now);
                    prune.setLong(2, id);
                    prune.addBatch();
                    canonical.setLong(1, id);
                    canonical.addBatch();
                }
                prune.executeBatch();
                canonical.executeBatch();
            }
            c.commit();
            LOG.info("Retention: archived {} message bodies to {} and pruned them from the store", ids.size(), archive);
            return ids.size();
        }
    }

    private static OutputStream openOwnerOnly(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.newOutputStream(file, StandardOpenOption.WRITE);
    }
}
