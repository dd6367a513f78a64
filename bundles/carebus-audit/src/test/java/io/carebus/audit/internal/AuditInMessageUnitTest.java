package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStore.StoreResult;
import io.carebus.api.store.StoreUnavailableException;
import io.carebus.api.store.UnitOfWorkStore;
import io.carebus.api.store.UnitParticipant;
import io.carebus.audit.AuditVerification;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24: "the message row and its audit record commit in one transaction with one forced write ... The audit
 * chain's sequence and previous hash are assigned inside that writer, so the chain stays in commit order." Messages
 * stored with their record through the store's writer, while other records are appended through the trail's own
 * writer at the same time: every message has its record, the chain verifies, and a unit whose transaction fails
 * leaves neither the message nor the record. On PostgreSQL in {@link PostgresAuditInMessageUnitTest}.
 */
class AuditInMessageUnitTest {

    @TempDir
    Path dir;
    private CloseableMessageStore store;
    private JdbcAuditLog log;
    private ChainVerifier verifier;

    protected CloseableMessageStore open() throws Exception {
        return MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
    }

    @BeforeEach
    void start() throws Exception {
        store = open();
        ChainKeys keys = new ChainKeys("k1", Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
        log = new JdbcAuditLog(store.database(), keys, 64);
        verifier = new ChainVerifier(store.database().dataSource(), keys, new Anchors(dir.resolve("anchors"), keys));
    }

    @AfterEach
    void stop() {
        log.close();
        store.close();
    }

    private static InboundMessage message(String controlId) {
        return new InboundMessage("mllp-2575", "10.0.0.7:51234", "HL7v2", "ORU^R01", "2.5.1", controlId, "LAB^GENHOSP",
                Instant.now(), ("MSH|^~\\&|LAB|GENHOSP|CAREBUS|CAREBUS|||ORU^R01|" + controlId).getBytes(StandardCharsets.UTF_8));
    }

    private static AuditRecord received(StoreResult stored) {
        return new AuditRecord(Instant.now(), "node-1", "hl7-listener:main", "10.0.0.7", AuditAction.RECEIVE,
                AuditRecord.Outcome.SUCCESS, List.of("message/" + stored.messageId()), null, null, null, null, "answered AA");
    }

    @Test
    void messagesAndTheirRecordsCommitTogetherAndTheChainStaysInCommitOrder() throws Exception {
        String run = Long.toString(System.nanoTime());
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<Long>> messages = new ArrayList<>();
        List<Future<Long>> others = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String controlId = run + "-" + i;
            messages.add(pool.submit(() -> ((UnitOfWorkStore) store).store(message(controlId), List.of(),
                    log.recordWith(AuditInMessageUnitTest::received).orElseThrow()).messageId()));
            if (i % 2 == 0) {
                others.add(pool.submit(() -> log.append(new AuditRecord(Instant.now(), "node-1", "user:alice", null,
                        AuditAction.REIDENTIFY, AuditRecord.Outcome.SUCCESS, List.of("patient/P" + controlId), null, null, null,
                        null, "looked up"))));
            }
        }
        List<Long> ids = new ArrayList<>();
        for (Future<Long> f : messages) {
            ids.add(f.get());
        }
        for (Future<Long> f : others) {
            f.get();
        }
        pool.shutdown();

        for (long id : ids) {
            assertThat(records("message/" + id)).as("message %d has its record", id).isEqualTo(1);
        }
        AuditVerification verification = verifier.verify();
        assertThat(verification.intact()).as(verification.detail()).isTrue();
        assertThat(verification.checked()).isGreaterThanOrEqualTo(600);
    }

    @Test
    void aUnitWhoseTransactionFailsLeavesNeitherTheMessageNorItsRecord() throws Exception {
        String controlId = "FAIL-" + System.nanoTime();
        UnitParticipant record = log.recordWith(AuditInMessageUnitTest::received).orElseThrow();
        UnitParticipant failing = new UnitParticipant() {
            @Override
            public void write(Connection c, StoreResult stored) throws java.sql.SQLException {
                record.write(c, stored);
                throw new java.sql.SQLException("the database refused the unit's last row");
            }

            @Override
            public void committed() {
                record.committed();
            }

            @Override
            public void rolledBack() {
                record.rolledBack();
            }
        };
        assertThatThrownBy(() -> ((UnitOfWorkStore) store).store(message(controlId), List.of(), failing))
                .isInstanceOf(StoreUnavailableException.class);
        try (Connection c = store.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM message WHERE control_id = ?")) {
            ps.setString(1, controlId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as("the message was rolled back with its record").isZero();
            }
        }
        // The chain goes on from the committed head: the next unit and the next plain append both verify.
        StoreResult next = ((UnitOfWorkStore) store).store(message(controlId + "-again"), List.of(),
                log.recordWith(AuditInMessageUnitTest::received).orElseThrow());
        log.append(new AuditRecord(Instant.now(), "node-1", "system", null, AuditAction.RECEIVE, AuditRecord.Outcome.SUCCESS,
                List.of(), null, null, null, null, "after"));
        assertThat(records("message/" + next.messageId())).isEqualTo(1);
        AuditVerification verification = verifier.verify();
        assertThat(verification.intact()).as(verification.detail()).isTrue();
    }

    private long records(String entity) throws Exception {
        try (Connection c = store.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM audit_record WHERE entities = ?")) {
            ps.setString(1, entity);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
