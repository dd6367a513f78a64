package io.carebus.bench.audit;

import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.audit.AuditTrails;
import io.carebus.audit.AuditVerification;
import io.carebus.store.StoreDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;

/**
 * Appends N audit records to the real trail in embedded H2 (durable: group commit, CHECKPOINT SYNC) with many in
 * flight, then verifies the whole chain. Prints records/s for both.
 */
public final class AuditBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("carebus-audit-bench");
        DataSource ds = StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
        try (AuditTrails.Standalone trail = AuditTrails.open(ds, true, "k1", new byte[32], dir.resolve("anchors"), 8192)) {
            long start = System.nanoTime();
            CompletableFuture<Long> last = null;
            for (int i = 1; i <= n; i++) {
                last = trail.appendAsync(new AuditRecord(Instant.now(), "node-1", "hl7-listener:main", "127.0.0.1:40000",
                        AuditAction.RECEIVE, AuditRecord.Outcome.SUCCESS, List.of("message/" + i), null, null,
                        new Sha256("%064x".formatted(i)), new Sha256("%064x".formatted(n + i)), "answered AA"));
            }
            last.get();
            double appendSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("RESULT audit-append records=%d records/s=%.0f%n", n, n / appendSeconds);

            AuditVerification v = trail.verify();
            if (!v.intact()) {
                throw new IllegalStateException("the chain does not verify: " + v.detail());
            }
            System.out.printf("RESULT audit-verify records=%d records/s=%.0f%n", v.checked(), v.checked() * 1000.0 / Math.max(1, v.millis()));
        }
    }
}
