package io.carebus.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.audit.AuditVerification;
import io.carebus.store.StoreDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An untouched chain of 1,000,000 records, appended through the real writer into embedded H2, verifies. */
class MillionRecordChainTest {

    @TempDir
    Path dir;

    @Test
    void aMillionRecordsVerify() throws Exception {
        DataSource ds = StoreDatabases.open(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "");
        ChainKeys keys = new ChainKeys("k1", Map.of("k1", new byte[32]));
        int n = 1_000_000;
        CompletableFuture<Long> last = null;
        try (JdbcAuditLog log = new JdbcAuditLog(ds, true, keys, 8192)) {
            for (int i = 1; i <= n; i++) {
                last = log.appendAsync(new AuditRecord(Instant.ofEpochMilli(1_700_000_000_000L + i), "node-1", "system:hl7",
                        "127.0.0.1", AuditAction.RECEIVE, AuditRecord.Outcome.SUCCESS, List.of("message/" + i), null, null,
                        new Sha256("%064x".formatted(i)), null, "answered AA"));
            }
            assertThat(last.get()).isEqualTo(n);
        }
        AuditVerification v = new ChainVerifier(ds, keys, new Anchors(dir.resolve("anchors"), keys)).verify();
        assertThat(v.intact()).as(v.detail()).isTrue();
        assertThat(v.checked()).isEqualTo(n);
        System.out.printf("verified %d records in %d ms%n", v.checked(), v.millis());
    }
}
