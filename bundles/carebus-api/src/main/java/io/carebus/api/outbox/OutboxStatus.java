package io.carebus.api.outbox;

/** Where a result stands on its way to an EHR. */
public enum OutboxStatus {
    /** Stored, waiting for its (next) delivery attempt. */
    PENDING,
    /** The EHR accepted it (created, or found it already there by its engine identifier). */
    DELIVERED,
    /** Given up: refused by the EHR (4xx) or out of attempts; the EHR's OperationOutcome is kept. Retry by API or shell. */
    DEAD,
    /** Kept on the appliance only (no EHR configured): readable through the appliance's own {@code /fhir}. */
    LOCAL
}
