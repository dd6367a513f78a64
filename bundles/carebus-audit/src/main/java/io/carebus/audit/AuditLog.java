package io.carebus.audit;

import java.util.List;

/** Reading the audit trail, oldest first (auditors' view and export). */
public interface AuditLog {

    /** At most {@code limit} entries from sequence number {@code fromSeq} on. */
    List<AuditEntry> read(long fromSeq, int limit);
}
