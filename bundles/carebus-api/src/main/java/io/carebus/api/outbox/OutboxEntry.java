package io.carebus.api.outbox;

import java.time.Instant;

/**
 * One result in the outbox, without its body. {@code identifier} is the engine identifier ({@code system|value}) the
 * EHR de-duplicates by; {@code subject} the patient reference; {@code lastOutcome} the EHR's last answer (an
 * OperationOutcome's text, or why the connection failed).
 */
public record OutboxEntry(long id, String ehr, String resourceType, String identifier, String subject, String code,
                          Long sourceMessage, OutboxStatus status, int attempts, Instant created, Instant nextAttempt,
                          Instant done, Integer lastHttpStatus, String lastOutcome, String location) {
}
