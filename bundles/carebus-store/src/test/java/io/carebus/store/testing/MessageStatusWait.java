package io.carebus.store.testing;

import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import java.time.Duration;

/** Waits for a stored message to reach a status, as the dispatcher records it from its own threads. */
public final class MessageStatusWait {

    private MessageStatusWait() {
    }

    /** Returns once {@code id} is {@code status}; fails the test after 10 s, naming the status it has. */
    public static void await(MessageStore store, long id, MessageStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (store.find(id).orElseThrow().status() != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("message " + id + " is " + store.find(id).orElseThrow().status() + ", expected " + status);
            }
            Thread.sleep(10);
        }
    }
}
