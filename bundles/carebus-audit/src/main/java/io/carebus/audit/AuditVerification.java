package io.carebus.audit;

/**
 * The result of a verification: how many records were checked, and for a broken chain the first sequence number at
 * which it breaks and how.
 *
 * @param checked        records read
 * @param lastSeq        the highest sequence number found (0 when empty)
 * @param anchoredSeq    the sequence number of the latest valid anchor (0 when none)
 * @param firstBrokenSeq the first sequence number where the chain breaks, or null when intact
 * @param problem        how it breaks, or null when intact
 * @param detail         a sentence for people
 */
public record AuditVerification(long checked, long lastSeq, long anchoredSeq, Long firstBrokenSeq, Problem problem,
                                String detail, long millis) {

    /** How a chain breaks. */
    public enum Problem {
        /** A record's content no longer matches its chain hash. */
        MODIFIED,
        /** A sequence number is missing. */
        DELETED,
        /** A record that was never appended sits in the chain. */
        INSERTED,
        /** Genuine records are out of their order. */
        REORDERED,
        /** Records the latest anchor covers are gone from the end. */
        TRUNCATED,
        /** An anchor's signature is wrong, or its hash does not match the record it names. */
        ANCHOR_MISMATCH
    }

    public boolean intact() {
        return problem == null;
    }
}
