package io.carebus.store.dispatch;

import io.carebus.api.store.Completion;
import io.carebus.api.store.StoredMessage;
import java.util.List;

/**
 * What a protocol adds to the {@link StoredMessageDispatcher}: how one of its messages is mapped and routed. The
 * dispatcher does the rest (queue, lanes, batching, resume, outages, reprocess).
 *
 * @param <T> the protocol's parsed form carried in an {@link Item}
 */
public interface MessageHandler<T> {

    /**
     * Maps and routes one RECEIVED message ({@link Item#message()} is set). A {@link io.carebus.api.store.StoreUnavailableException}
     * thrown here puts the message back in the queue, so the handler must not call the store once its route has run:
     * it returns the outcome instead, and the dispatcher records it (again and again while the store is down).
     */
    Outcome handle(Item<T> item) throws Exception;

    /** Refuses a reprocess request the protocol cannot honour ({@link IllegalArgumentException}); by default none. */
    default void checkReprocess(StoredMessage message) {
    }

    /** The item entered the queue (at submit, resume or reprocess; not when it goes back after a wait or an outage). */
    default void queued(Item<T> item) {
    }

    /** The item left the dispatcher: handled, or nothing to do, or failed (it stays RECEIVED). Called once per {@link #queued}. */
    default void finished(Item<T> item) {
    }

    /**
     * Called on the first lane after each message and whenever it is idle: outcomes that became due since (a DICOM
     * study that fell quiet), recorded in the lane's next batch. Runs on that lane's thread only.
     */
    default List<Completion> tick() throws Exception {
        return List.of();
    }
}
