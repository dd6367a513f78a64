package io.carebus.api.store;

import java.time.Instant;

/**
 * A stored message without its payload: what a browser lists.
 *
 * @param warnings how many {@link MessageWarning}s are stored with it (intake's and its last mapping's)
 */
public record MessageSummary(long id, String listener, String remoteAddress, String protocol, String messageType,
                             String versionId, String controlId, String sender, Instant receivedAt, MessageStatus status,
                             String error, Long duplicateOf, int payloadSize, int warnings) {

    public MessageSummary(long id, String listener, String remoteAddress, String protocol, String messageType,
                          String versionId, String controlId, String sender, Instant receivedAt, MessageStatus status,
                          String error, Long duplicateOf, int payloadSize) {
        this(id, listener, remoteAddress, protocol, messageType, versionId, controlId, sender, receivedAt, status, error,
                duplicateOf, payloadSize, 0);
    }
}
