package io.carebus.api.store;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Durable storage for inbound messages. Every method that writes returns only after the write is committed to stable
 * storage, so a caller may acknowledge the sender as soon as {@link #store} returns. A store that cannot commit
 * throws; it never returns as if it had stored.
 */
public interface MessageStore {

    /**
     * Stores an accepted message as {@link MessageStatus#RECEIVED}. When the same sender sent the same control id on
     * the same listener within the duplicate window <em>with the same payload</em> (SHA-256), the message is recorded
     * as {@link MessageStatus#FILTERED} with {@link StoreResult#duplicateOf()} set, and must not be processed again.
     * The same control id with a different payload is a control-id collision: the message is stored as RECEIVED and
     * processed like any other, with {@link StoreResult#collidesWith()} naming the earlier message and a warning in
     * its history; the caller should audit it.
     */
    StoreResult store(InboundMessage message);

    /**
     * Stores an accepted message as {@link #store(InboundMessage)} does, together with the problems intake found in it
     * and accepted all the same (lenient validation); they commit with the message, and {@link #warnings} returns them.
     */
    StoreResult store(InboundMessage message, List<MessageWarning> warnings);

    /**
     * The warnings stored with a message: those intake found, in the order it found them, then those its last mapping
     * to the canonical form found ({@link Completion#mappingWarnings()}); empty when it had none.
     */
    List<MessageWarning> warnings(long messageId);

    /** Stores a message that was refused (bad input) as {@link MessageStatus#ERROR}, with the reason, for reprocessing. */
    long storeRejected(InboundMessage message, String reason);

    Optional<StoredMessage> find(long messageId);

    List<HistoryEntry> history(long messageId);

    /** Messages matching the query, newest first, without payloads. */
    List<MessageSummary> search(MessageQuery query);

    /**
     * Ids of the protocol's messages stored but not finished ({@link MessageStatus#RECEIVED}), oldest first: what a
     * restart resumes. Per protocol, since each protocol's bundle resumes its own.
     */
    List<Long> unfinished(String protocol);

    void updateStatus(long messageId, MessageStatus status, String note);

    /**
     * Keeps the canonical form (FHIR R4 JSON) a message was mapped to, replacing an earlier one, and indexes the
     * patient identifiers it names ({@code system|value}) so {@link MessageQuery#patientIdentifier()} finds it.
     */
    void attachCanonical(long messageId, byte[] canonicalJson, Collection<String> patientIdentifiers);

    /**
     * Records the outcomes of processing several messages (status, note, canonical form and its patient identifiers)
     * in one transaction: what {@link #updateStatus} and {@link #attachCanonical} do, for a batch, committed at once.
     * With a canonical form, the completion's mapping warnings replace those of an earlier mapping of the message
     * (intake's stay), and count in {@link MessageSummary#warnings()} and {@link MessageQuery#withWarnings()}.
     */
    void complete(List<Completion> completions);

    /** The canonical form attached to a message, if any (none before mapping, and none after retention pruned it). */
    Optional<byte[]> canonical(long messageId);

    /**
     * @param duplicateOf the earlier message this one repeats (same sender, control id and payload), or null
     * @param collidesWith the earlier message that used the same sender and control id with a different payload, or
     *        null; such a message is not a duplicate and is processed
     */
    record StoreResult(long messageId, Long duplicateOf, Long collidesWith) {

        public StoreResult(long messageId, Long duplicateOf) {
            this(messageId, duplicateOf, null);
        }

        public boolean duplicate() {
            return duplicateOf != null;
        }

        /** The control id was used before by the same sender for different content (see {@link #collidesWith()}). */
        public boolean collision() {
            return collidesWith != null;
        }

        /** The warning recorded in a colliding message's history, or null when it does not collide. */
        public static String collisionWarning(String controlId, Long collidesWith) {
            return collidesWith == null ? null
                    : "control id " + controlId + " already used by message " + collidesWith + " with different content";
        }
    }
}
