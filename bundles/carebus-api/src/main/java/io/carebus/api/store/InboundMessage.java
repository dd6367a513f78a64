package io.carebus.api.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A message as it arrived, before any processing. {@code sender} and {@code controlId} are what duplicates are
 * detected by (for HL7v2: MSH-3^MSH-4 and MSH-10). Fields that could not be read from a broken message are null.
 */
public record InboundMessage(String listener, String remoteAddress, String protocol, String messageType, String versionId,
                             String controlId, String sender, Instant receivedAt, byte[] payload) {

    public InboundMessage {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(receivedAt, "receivedAt");
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** No payload bytes in the string form: they are PHI. */
    @Override
    public String toString() {
        return "InboundMessage[listener=" + listener + ", type=" + messageType + ", controlId=" + controlId
                + ", sender=" + sender + ", bytes=" + payload.length + "]";
    }
}
