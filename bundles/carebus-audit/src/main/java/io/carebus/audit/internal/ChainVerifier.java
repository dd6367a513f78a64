package io.carebus.audit.internal;

import io.carebus.audit.AuditVerification;
import io.carebus.audit.AuditVerification.Problem;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Recomputes the chain in sequence order with one record of look-ahead, and stops at the first break:
 * a missing sequence number is DELETED; a record whose hash does not follow from its predecessor is INSERTED when the
 * next record follows from that predecessor instead, REORDERED when moreover it follows from that next record, and
 * MODIFIED otherwise. Then the latest anchor: its signature must hold, the record it names must carry its hash, and
 * that record must still exist (else TRUNCATED).
 */
final class ChainVerifier {

    private final DataSource dataSource;
    private final ChainKeys keys;
    private final Anchors anchors;

    ChainVerifier(DataSource dataSource, ChainKeys keys, Anchors anchors) {
        this.dataSource = dataSource;
        this.keys = keys;
        this.anchors = anchors;
    }

    private final class Walk {
        long checked;
        long expected = 1;
        long lastSeq;
        String previous = ChainKeys.GENESIS;
        JdbcAuditLog.ChainLink pending;
        Long brokenAt;
        Problem problem;
        String detail;
        long anchorSeq = -1;
        String anchorTargetHash;

        void accept(JdbcAuditLog.ChainLink row) {
            if (brokenAt != null) {
                return;
            }
            checked++;
            lastSeq = row.seq();
            if (row.seq() == anchorSeq) {
                anchorTargetHash = row.chainHash();
            }
            if (pending == null) {
                if (row.seq() != expected) {
                    fail(expected, Problem.DELETED, "record " + expected + " is missing (the next one is " + row.seq() + ")");
                    return;
                }
                if (follows(previous, row)) {
                    previous = row.chainHash();
                    expected++;
                } else {
                    pending = row;
                }
                return;
            }
            // pending does not follow from previous: look at this next row to tell why.
            if (follows(previous, row)) {
                boolean swapped = follows(row.chainHash(), pending);
                fail(pending.seq(), swapped ? Problem.REORDERED : Problem.INSERTED, swapped
                        ? "records " + pending.seq() + " and " + row.seq() + " are out of order"
                        : "record " + pending.seq() + " was never appended (the chain continues from " + (pending.seq() - 1) + " at " + row.seq() + ")");
            } else {
                fail(pending.seq(), Problem.MODIFIED, "record " + pending.seq() + " does not match its chain hash");
            }
        }

        void end() {
            if (brokenAt == null && pending != null) {
                fail(pending.seq(), Problem.MODIFIED, "record " + pending.seq() + " does not match its chain hash");
            }
        }

        void fail(long seq, Problem why, String text) {
            brokenAt = seq;
            problem = why;
            detail = text;
        }

        boolean follows(String previousHash, JdbcAuditLog.ChainLink row) {
            return keys.has(row.keyId()) && keys.chain(row.keyId(), previousHash, row.canonical()).equals(row.chainHash());
        }
    }

    AuditVerification verify() {
        long start = System.nanoTime();
        Walk walk = new Walk();
        Optional<Anchors.Anchor> anchor;
        try {
            anchor = anchors.latest();
            anchor.ifPresent(a -> walk.anchorSeq = a.seq());
            JdbcAuditLog.readLinks(dataSource, walk::accept);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
        }
        walk.end();
        long anchored = 0;
        if (walk.brokenAt == null && anchor.isPresent()) {
            Anchors.Anchor a = anchor.get();
            if (!anchors.valid(a)) {
                walk.fail(Math.max(a.seq(), 0), Problem.ANCHOR_MISMATCH, "the latest anchor's signature is wrong");
            } else if (a.seq() > walk.lastSeq) {
                walk.fail(walk.lastSeq + 1, Problem.TRUNCATED, "the anchor covers up to record " + a.seq()
                        + " but the trail ends at " + walk.lastSeq);
            } else if (!a.hash().equals(walk.anchorTargetHash)) {
                walk.fail(a.seq(), Problem.ANCHOR_MISMATCH, "record " + a.seq() + " no longer carries the anchored hash");
            } else {
                anchored = a.seq();
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String detail = walk.brokenAt == null ? walk.checked + " records intact" + (anchored > 0 ? ", anchored up to " + anchored : "")
                : walk.detail;
        return new AuditVerification(walk.checked, walk.lastSeq, anchored, walk.brokenAt, walk.problem, detail, millis);
    }
}
