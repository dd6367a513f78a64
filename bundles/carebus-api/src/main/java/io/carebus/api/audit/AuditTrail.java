package io.carebus.api.audit;

/** Where events are recorded. {@link #append} returns once the record is durable, with its sequence number. */
public interface AuditTrail {

    long append(AuditRecord record);

    /** The node id this trail records for its engine, for callers building records. */
    default String nodeId() {
        return "local";
    }
}
