package io.carebus.hl7.internal;

/**
 * What the listener answers: the acknowledgement bytes, nothing (MSH-15 asked for no accept ACK of this kind), or
 * (no MSH to answer to) closing the connection.
 *
 * @param messageId the store id, or -1 when nothing could be stored
 * @param ackCode   MSA-1 of the answer (AA, AE, AR, CA, CE, CR), or null when the connection is closed
 * @param accepted  the stored message as parsed at intake, handed on so processing need not read and parse it again
 * @param unsynced  when set, the store row is committed but not yet on disk (see {@link Hl7Intake})
 * @param warning   what the audit record and the log must say about an accepted message, e.g. a control-id collision
 *                  (same sender and control id as an earlier message, other content), or null
 * @param warnings  how many data problems were stored with the accepted message (lenient validation)
 * @param audited   the audit record was written with the message, in its transaction: nothing more to append
 */
record IntakeOutcome(byte[] ack, boolean closeConnection, long messageId, String ackCode, boolean duplicate,
                     Hl7Dispatcher.Pending accepted, io.carebus.store.DeferredSyncStore.Committed unsynced, String warning,
                     int warnings, boolean audited) {

    IntakeOutcome(byte[] ack, boolean closeConnection, long messageId, String ackCode, boolean duplicate) {
        this(ack, closeConnection, messageId, ackCode, duplicate, null, null, null, 0, false);
    }

    /** The audit record went into the message's own transaction (one commit, one forced write). */
    IntakeOutcome withAudited() {
        return new IntakeOutcome(ack, closeConnection, messageId, ackCode, duplicate, accepted, unsynced, warning, warnings, true);
    }

    IntakeOutcome withWarning(String text) {
        return new IntakeOutcome(ack, closeConnection, messageId, ackCode, duplicate, accepted, unsynced, text, warnings, audited);
    }

    IntakeOutcome withWarnings(int count) {
        return new IntakeOutcome(ack, closeConnection, messageId, ackCode, duplicate, accepted, unsynced, warning, count, audited);
    }

    IntakeOutcome withAccepted(Hl7Dispatcher.Pending pending) {
        return new IntakeOutcome(ack, closeConnection, messageId, ackCode, duplicate, pending, unsynced, warning, warnings, audited);
    }

    /** The message is committed but not yet forced to disk: the answer must wait for {@code committed}. */
    IntakeOutcome withUnsynced(io.carebus.store.DeferredSyncStore.Committed committed) {
        return new IntakeOutcome(ack, closeConnection, messageId, ackCode, duplicate, accepted, committed, warning, warnings, audited);
    }

    /** Nothing goes back (MSH-15 asks for no accept ACK with this code); the connection stays open. */
    IntakeOutcome withoutAnswer() {
        return new IntakeOutcome(null, false, messageId, ackCode, duplicate, accepted, unsynced, warning, warnings, audited);
    }

    /** Stored and decided, but by the sender's wish not answered. */
    boolean unanswered() {
        return ack == null && !closeConnection;
    }

    /** A newly stored, accepted message (not a duplicate, not refused): the routes get it next. */
    boolean toProcess() {
        return messageId >= 0 && !duplicate && ("AA".equals(ackCode) || "CA".equals(ackCode));
    }

    static IntakeOutcome close(long messageId) {
        return new IntakeOutcome(null, true, messageId, null, false);
    }
}
