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
     * the same listener within the duplicate window, the message is recorded as {@link MessageStatus#FILTERED} with
     * {@link StoreResult#duplicateOf()} set, and must not be processed again.
     */
    StoreResult store(InboundMessage message);

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
     */
    void complete(List<Completion> completions);

    /** The canonical form attached to a message, if any (none before mapping, and none after retention pruned it). */
    Optional<byte[]> canonical(long messageId);

    record StoreResult(long messageId, Long duplicateOf) {
        public boolean duplicate() {
            return duplicateOf != null;
        }
    }
}
