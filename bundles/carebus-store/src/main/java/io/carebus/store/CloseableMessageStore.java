package io.carebus.store;

import io.carebus.api.store.MessageStore;

/** A {@link MessageStore} opened outside the container (tests, benchmarks, tools) that its opener must close. */
public interface CloseableMessageStore extends MessageStore, AutoCloseable {

    /**
     * The engine database the store was opened on (as the appliance's {@code EngineDatabase} service), for the other
     * bundles' parts a test or tool runs beside it; closed with the store.
     */
    io.carebus.api.store.EngineDatabase database();

    @Override
    void close();
}
