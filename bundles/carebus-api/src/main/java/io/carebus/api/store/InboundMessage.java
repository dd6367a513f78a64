package io.carebus.api.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A message as it arrived, before any processing. {@code controlId} is what duplicates are detected by (MSH-10, a
 * FHIR Bundle id, a SOP Instance UID).
 */
public record InboundMessage(String listener, String remoteAddress, String protocol, String messageType,
                             String controlId, Instant receivedAt, byte[] payload) {

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
}
