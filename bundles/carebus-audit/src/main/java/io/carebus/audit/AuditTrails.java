package io.carebus.audit;

import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.audit.internal.StandaloneTrail;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * Opens the real audit trail outside the container, over a database the caller opened (e.g. with
 * {@code StoreDatabases.openDatabase}): for benchmarks and tools. The appliance itself runs it as an OSGi component.
 */
public final class AuditTrails {

    private AuditTrails() {
    }

    /** A trail, its verifier and a bulk append, closed together. */
    public interface Standalone extends AuditTrail, AuditVerifier, AutoCloseable {

        /** Queues a record; the future completes with its sequence number once it is durable. */
        CompletableFuture<Long> appendAsync(AuditRecord record) throws InterruptedException;

        @Override
        void close();
    }

    public static Standalone open(DataSource dataSource, boolean h2, String keyId, byte[] key, Path anchorDirectory, int maxBatch) {
        return new StandaloneTrail(dataSource, h2, keyId, key, anchorDirectory, maxBatch);
    }
}
