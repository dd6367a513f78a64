package io.carebus.dicom;

import java.util.List;

/**
 * C-STORE forwarding to the configured destinations ({@code etc/io.carebus.dicom.destination-<name>.cfg}) through a
 * durable queue: what is queued is sent, once, after any outage or restart, or ends DEAD with the peer's reason.
 */
public interface DicomForwarding {

    /** A configured destination and what its last C-ECHO said. */
    record Destination(String name, String aeTitle, String host, int port, String lastEcho) {
    }

    record EchoResult(boolean ok, long millis, String detail) {
    }

    List<Destination> destinations();

    /** C-ECHO now. */
    EchoResult echo(String destination);

    /** Queues one stored instance; false when it was already queued for that destination. */
    boolean queue(String destination, long messageId);

    /** Queues every instance of the study; the number newly queued. */
    int queueStudy(String destination, String studyInstanceUid);

    /** Counts of the destination's queue by status (PENDING, SENT, DEAD). */
    java.util.Map<String, Integer> queueCounts(String destination);
}
