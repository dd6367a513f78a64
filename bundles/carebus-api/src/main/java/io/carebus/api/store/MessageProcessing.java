package io.carebus.api.store;

/**
 * Hands stored messages to the routes that process them. Implemented by the intake bundle of each protocol; the
 * console calls it to reprocess a message.
 */
public interface MessageProcessing {

    /** The protocol whose messages this processes ({@code HL7v2}, ...), as in {@link InboundMessage#protocol()}. */
    String protocol();

    /** Marks a stored message RECEIVED again (recording who asked) and queues it for processing. */
    void reprocess(long messageId, String requestedBy);
}
