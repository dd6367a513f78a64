package io.carebus.store;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStore;

/**
 * A message store that can commit a message now and force it to disk afterwards, so that one forced write covers the
 * message and what other writers put into the same database right after it (the DICOM gateway's index row and audit
 * record). Until {@link Committed#awaitDurable} has returned, the message must not be acknowledged to its sender.
 */
public interface DeferredSyncStore {

    /** Stores as {@link MessageStore#store} does, committed but not yet forced to disk. */
    Committed storeCommitted(InboundMessage message);

    /** Stores as {@link MessageStore#store(InboundMessage, java.util.List)} does, committed but not yet forced to disk. */
    Committed storeCommitted(InboundMessage message, java.util.List<io.carebus.api.store.MessageWarning> warnings);

    /** A committed message. */
    interface Committed {
        MessageStore.StoreResult result();

        /** Returns once the message is on disk (at once when a later forced write of its database covered it). */
        void awaitDurable();
    }
}
