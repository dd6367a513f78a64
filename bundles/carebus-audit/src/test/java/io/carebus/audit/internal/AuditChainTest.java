package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.model.ModelId;
import io.carebus.audit.AuditVerification;
import io.carebus.audit.AuditVerification.Problem;
import io.carebus.store.StoreDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chain on a real database: appended concurrently, verified, then tampered with in each way the issue names. */
class AuditChainTest {

    @TempDir
    Path dir;

    protected DataSource dataSource;
    protected boolean h2 = true;
    private ChainKeys keys;
    private Anchors anchors;
    protected JdbcAuditLog log;
    private ChainVerifier verifier;

    protected DataSource database() throws Exception {
        return StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
    }

    /** Runs tampering SQL as an attacker with direct database access would (PostgreSQL: past the trigger). */
    protected void tamper(String... sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    @BeforeEach
    void open() throws Exception {
        dataSource = database();
        keys = new ChainKeys("k1", Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes()));
        anchors = new Anchors(dir.resolve("anchors"), keys);
        log = new JdbcAuditLog(dataSource, h2, keys, 256);
        verifier = new ChainVerifier(dataSource, keys, anchors);
    }

    @AfterEach
    void close() {
        log.close();
    }

    protected static AuditRecord record(int i) {
        Sha256 input = new Sha256("%064x".formatted(i));
        ModelId model = i % 3 == 0 ? new ModelId("sepsis-risk", "1.2.0", new Sha256("ab".repeat(32))) : null;
        return new AuditRecord(Instant.ofEpochMilli(1_700_000_000_000L + i), "node-1", i % 2 == 0 ? "system:hl7" : "user:alice",
                "10.0.0." + (i % 250), i % 3 == 0 ? AuditAction.INFER : AuditAction.RECEIVE, AuditRecord.Outcome.SUCCESS,
                List.of("message/" + i, "patient/PSEUDO-" + (i % 7)), "hl7-inbound", model, input, null, "event " + i);
    }

    private void append(int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Long>> seqs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            int n = i;
            seqs.add(pool.submit(() -> log.append(record(n))));
        }
        for (Future<Long> f : seqs) {
            f.get();
        }
        pool.shutdown();
    }

    protected AuditVerification verify() {
        return verifier.verify();
    }

    @Test
    void anUntouchedChainVerifiesAndContinuesAcrossAReopen() throws Exception {
        append(500);
        AuditVerification ok = verify();
        assertThat(ok.intact()).as(ok.detail()).isTrue();
        assertThat(ok.checked()).isEqualTo(500);
        assertThat(ok.lastSeq()).isEqualTo(500);

        log.close();
        log = new JdbcAuditLog(dataSource, h2, keys, 256);
        assertThat(log.append(record(501))).isEqualTo(501);
        assertThat(verify().intact()).isTrue();
    }

    @Test
    void aChangedFieldIsModifiedAtItsSequenceNumber() throws Exception {
        append(100);
        tamper("UPDATE audit_record SET actor = 'user:mallory' WHERE seq = 42");
        AuditVerification broken = verify();
        assertThat(broken.problem()).isEqualTo(Problem.MODIFIED);
        assertThat(broken.firstBrokenSeq()).isEqualTo(42);
    }

    @Test
    void aDeletedRowIsDeletedAtItsSequenceNumber() throws Exception {
        append(100);
        tamper("DELETE FROM audit_record WHERE seq = 57");
        AuditVerification broken = verify();
        assertThat(broken.problem()).isEqualTo(Problem.DELETED);
        assertThat(broken.firstBrokenSeq()).isEqualTo(57);
    }

    @Test
    void anInsertedRowIsInsertedAtItsSequenceNumber() throws Exception {
        append(100);
        // Make room after 30 (top down, so the primary key never collides), then forge a record there.
        for (int seq = 100; seq > 30; seq--) {
            tamper("UPDATE audit_record SET seq = " + (seq + 1) + " WHERE seq = " + seq);
        }
        tamper("INSERT INTO audit_record SELECT 31, at_millis, node_id, 'user:mallory', remote_address, action, outcome,"
                + " entities, route_id, model_id, model_version, model_sha256, input_sha256, output_sha256, detail, key_id,"
                + " chain_hash FROM audit_record WHERE seq = 30");
        AuditVerification broken = verify();
        assertThat(broken.problem()).isEqualTo(Problem.INSERTED);
        assertThat(broken.firstBrokenSeq()).isEqualTo(31);
    }

    @Test
    void twoSwappedRowsAreReorderedAtTheFirst() throws Exception {
        append(100);
        tamper("UPDATE audit_record SET seq = -1 WHERE seq = 20", "UPDATE audit_record SET seq = 20 WHERE seq = 21",
                "UPDATE audit_record SET seq = 21 WHERE seq = -1");
        AuditVerification broken = verify();
        assertThat(broken.problem()).isEqualTo(Problem.REORDERED);
        assertThat(broken.firstBrokenSeq()).isEqualTo(20);
    }

    @Test
    void aTailCutBehindTheAnchorIsTruncated() throws Exception {
        append(100);
        JdbcAuditLog.Head head = log.head();
        assertThat(anchors.write(head.seq(), head.hash(), Instant.now())).isPresent();
        assertThat(verify().anchoredSeq()).isEqualTo(100);

        tamper("DELETE FROM audit_record WHERE seq > 90");
        AuditVerification broken = verify();
        assertThat(broken.problem()).isEqualTo(Problem.TRUNCATED);
        assertThat(broken.firstBrokenSeq()).isEqualTo(91);
    }

    @Test
    void aForgedAnchorIsRefused() throws Exception {
        append(10);
        ChainKeys other = new ChainKeys("k1", Map.of("k1", "ffffffffffffffffffffffffffffffff".getBytes()));
        new Anchors(dir.resolve("anchors"), other).write(10, log.head().hash(), Instant.now());
        AuditVerification broken = verify();
        assertThat(broken.problem()).isEqualTo(Problem.ANCHOR_MISMATCH);
    }
}
