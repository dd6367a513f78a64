package io.carebus.store;

import io.carebus.store.internal.StoreFactory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Opens the same store the appliance runs, outside the container: for tests, benchmarks and tools that need the real
 * thing (schema migrated by Flyway, group commit, fsync) rather than a stand-in.
 */
public final class MessageStores {

    private MessageStores() {
    }

    /** An embedded H2 store in {@code file} (created when absent), with the given duplicate window. */
    public static CloseableMessageStore openEmbedded(Path file, Duration duplicateWindow) {
        return StoreFactory.open(StoreFactory.embeddedH2Url(file), "", "", duplicateWindow, 512);
    }

    /** A store in the database the JDBC URL names (H2 or PostgreSQL). */
    public static CloseableMessageStore open(String jdbcUrl, String user, String password, Duration duplicateWindow) {
        return StoreFactory.open(jdbcUrl, user, password, duplicateWindow, 512);
    }
}
