package io.carebus.api.outbox;

import java.util.List;
import java.util.Optional;

/** The outbox as operators see it: what waits, what arrived, what was given up, and a way to try again. */
public interface Outbox {

    /** Entries newest first; {@code status} and {@code ehr} filter when not null. */
    List<OutboxEntry> list(OutboxStatus status, String ehr, int limit);

    Optional<OutboxEntry> find(long id);

    /**
     * Puts a DEAD (or PENDING) entry back to PENDING with its attempts reset, due now. Returns false when there is no
     * such entry or it was already DELIVERED (sending it again would duplicate it at the EHR).
     */
    boolean retry(long id, String requestedBy);
}
