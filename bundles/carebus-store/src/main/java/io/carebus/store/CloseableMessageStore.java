package io.carebus.store;

import io.carebus.api.store.MessageStore;

/** A {@link MessageStore} opened outside the container (tests, benchmarks, tools) that its opener must close. */
public interface CloseableMessageStore extends MessageStore, AutoCloseable {

    @Override
    void close();
}
