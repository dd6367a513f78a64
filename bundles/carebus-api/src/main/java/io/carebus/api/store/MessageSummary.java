package io.carebus.api.store;

import java.time.Instant;

/** A stored message without its payload: what a browser lists. */
public record MessageSummary(long id, String listener, String remoteAddress, String protocol, String messageType,
                             String versionId, String controlId, String sender, Instant receivedAt, MessageStatus status,
                             String error, Long duplicateOf, int payloadSize) {
}
