package io.carebus.api.store;

import java.time.Instant;

/**
 * Filters for browsing stored messages; null means "any". Results come newest first; {@code beforeId} pages back
 * (pass the smallest id of the previous page). {@code messageType} matches MSH-9 from its start ({@code ADT} or
 * {@code ADT^A01}). {@code patientIdentifier} is {@code system|value} or just the value of a patient identifier the
 * message was mapped with (HL7v2 PID-3, MRG-1). {@code withWarnings}: only messages accepted with warnings (see
 * {@link MessageWarning}).
 */
public record MessageQuery(String controlId, MessageStatus status, String messageType, String sender, Instant since,
                           Instant until, String patientIdentifier, Long beforeId, int limit, boolean withWarnings) {

    public MessageQuery(String controlId, MessageStatus status, String messageType, String sender, Instant since,
                        Instant until, String patientIdentifier, Long beforeId, int limit) {
        this(controlId, status, messageType, sender, since, until, patientIdentifier, beforeId, limit, false);
    }

    public MessageQuery {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1..1000, was " + limit);
        }
    }
}
