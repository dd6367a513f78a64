package io.carebus.store;

import io.carebus.api.store.EngineDatabase;

/** The engine database opened outside the container (tests, benchmarks, tools): its opener closes it. */
public interface CloseableEngineDatabase extends EngineDatabase, AutoCloseable {

    @Override
    void close();
}
