package io.carebus.api.store;

import java.util.Optional;

/**
 * Durable storage for inbound messages. {@link #store} returns only after the message is committed to stable storage,
 * so a caller may acknowledge the sender as soon as it returns.
 */
public interface MessageStore {

    /** Stores the message durably and returns its id; a duplicate (same listener and control id) is reported, not stored twice. */
    StoreResult store(InboundMessage message);

    Optional<MessageStatus> status(long messageId);

    void updateStatus(long messageId, MessageStatus status, String note);

    record StoreResult(long messageId, boolean duplicate) {
    }
}
