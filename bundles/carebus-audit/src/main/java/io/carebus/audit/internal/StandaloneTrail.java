package io.carebus.audit.internal;

import io.carebus.api.audit.AuditRecord;
import io.carebus.audit.AuditTrails;
import io.carebus.audit.AuditVerification;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/** {@link AuditTrails#open}: the same log and verifier the component runs, without OSGi. */
public final class StandaloneTrail implements AuditTrails.Standalone {

    private final JdbcAuditLog log;
    private final ChainVerifier verifier;

    public StandaloneTrail(DataSource dataSource, boolean h2, String keyId, byte[] key, Path anchorDirectory, int maxBatch) {
        ChainKeys keys = new ChainKeys(keyId, Map.of(keyId, key));
        this.log = new JdbcAuditLog(dataSource, h2, keys, maxBatch);
        this.verifier = new ChainVerifier(dataSource, keys, new Anchors(anchorDirectory, keys));
    }

    @Override
    public long append(AuditRecord record) {
        return log.append(record);
    }

    @Override
    public CompletableFuture<Long> appendAsync(AuditRecord record) throws InterruptedException {
        return log.appendAsync(record);
    }

    @Override
    public AuditVerification verify() {
        return verifier.verify();
    }

    @Override
    public void close() {
        log.close();
    }
}
