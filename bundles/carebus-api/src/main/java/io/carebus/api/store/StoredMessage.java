package io.carebus.api.store;

/** A message as the store holds it: what arrived, where it stands, and the original it duplicates if any. */
public record StoredMessage(long id, InboundMessage message, MessageStatus status, String error, Long duplicateOf) {
}
