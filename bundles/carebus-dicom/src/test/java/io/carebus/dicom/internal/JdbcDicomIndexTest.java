package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.dicom.DicomInstance;
import io.carebus.store.StoreDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DICOM index on both databases: a row is found again, a second add for the same message changes nothing, and
 * the connection it used is fit for the next add (on PostgreSQL the insert runs in its own transaction with
 * {@code synchronous_commit} off, which a failed insert must not leave open).
 */
class JdbcDicomIndexTest {

    @TempDir
    Path dir;

    @Test
    void onH2() {
        DataSource db = StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 2);
        try {
            addFindAndAddAgain(new JdbcDicomIndex(db, dir, false));
        } finally {
            StoreDatabases.close(db);
        }
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CAREBUS_TEST_PG_URL", matches = "jdbc:postgresql:.*")
    void onPostgres() throws Exception {
        DataSource db = StoreDatabases.openPooled(System.getenv("CAREBUS_TEST_PG_URL"), System.getenv("CAREBUS_TEST_PG_USER"),
                System.getenv("CAREBUS_TEST_PG_PASSWORD"), 1);
        try {
            try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM dicom_instance WHERE message_id IN (910001, 910002)");
            }
            addFindAndAddAgain(new JdbcDicomIndex(db, dir, true));
        } finally {
            StoreDatabases.close(db);
        }
    }

    private void addFindAndAddAgain(JdbcDicomIndex index) {
        DicomInstance first = instance(910001, "1.2.3.1");
        index.add(first);
        assertThat(index.find(910001)).contains(first);
        index.add(first);
        // one connection in the PostgreSQL pool: the next add gets the one the duplicate used
        DicomInstance second = instance(910002, "1.2.3.2");
        index.add(second);
        assertThat(index.study("1.2.3")).containsExactly(first, second);
    }

    private DicomInstance instance(long messageId, String sop) {
        return new DicomInstance(messageId, "1.2.3", "1.2.3.0", sop, "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.2.1", "CT",
                dir.resolve("instances/1.2.3/1.2.3.0/" + sop + ".dcm"), 1234, "ab".repeat(32), "MODALITY",
                Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }
}
