package io.carebus.hl7.internal;

/**
 * What the listener answers: the acknowledgement bytes, or (no MSH to answer to) closing the connection.
 *
 * @param messageId the store id, or -1 when nothing could be stored
 * @param ackCode   MSA-1 of the answer (AA, AE, AR, CA, CE, CR), or null when the connection is closed
 */
record IntakeOutcome(byte[] ack, boolean closeConnection, long messageId, String ackCode, boolean duplicate) {

    /** A newly stored, accepted message (not a duplicate, not refused): the routes get it next. */
    boolean toProcess() {
        return messageId >= 0 && !duplicate && ("AA".equals(ackCode) || "CA".equals(ackCode));
    }

    static IntakeOutcome close(long messageId) {
        return new IntakeOutcome(null, true, messageId, null, false);
    }
}
