package io.carebus.api.audit;

/** Where events are recorded. {@link #append} returns once the record is durable, with its sequence number. */
public interface AuditTrail {

    long append(AuditRecord record);

    /**
     * A record written with a stored message, in its unit of work ({@link io.carebus.api.store.UnitOfWorkStore}): its
     * sequence number and chain hash are assigned inside the store's writer, so the chain stays in commit order. Empty
     * when this trail cannot join the store's transaction; the caller then {@link #append}s the record after storing.
     */
    default java.util.Optional<io.carebus.api.store.UnitParticipant> recordWith(
            java.util.function.Function<io.carebus.api.store.MessageStore.StoreResult, AuditRecord> record) {
        return java.util.Optional.empty();
    }

    /** The node id this trail records for its engine, for callers building records. */
    default String nodeId() {
        return "local";
    }
}
