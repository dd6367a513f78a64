package io.carebus.audit.internal;

import io.carebus.audit.AuditEntry;
import java.util.List;

/** One export destination. */
interface ExportSink extends AutoCloseable {

    /** Stable name, the key of this destination's cursor. */
    String destination();

    /**
     * Sends the entries in order. Returns how many the destination refused for good (their content, not the
     * transport: they are logged and skipped); throws when the batch must be sent again later.
     */
    int send(List<AuditEntry> entries) throws Exception;

    @Override
    void close();
}
