package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.audit.AwaitedAuditTrail;
import io.carebus.dicom.internal.net.StoreService;
import io.carebus.dicom.testing.TestImages;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.StoreDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: nothing is acknowledged unaudited. With the audit record required (the default) and no audit trail
 * running (carebus-audit being updated), a C-STORE waits a bounded time for the trail, then gets A700 "stored but not
 * audited": the instance is kept, and the sender's resend is its duplicate. Before, it got Success with no record.
 */
class InstanceStoreAuditTest {

    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DataSource db;

    /** Keeps what is appended: the audit service the intake talks to. */
    private static final class RecordingTrail implements AuditTrail {
        final List<AuditRecord> records = new CopyOnWriteArrayList<>();

        @Override
        public long append(AuditRecord record) {
            records.add(record);
            return records.size();
        }
    }

    @BeforeEach
    void start() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        db = StoreDatabases.openPooled(StoreDatabases.embeddedUrl(dir.resolve("store")), "", "", 2);
    }

    @AfterEach
    void stop() throws Exception {
        StoreDatabases.close(db);
        store.close();
    }

    private StoreService.Status send(Path file, Supplier<AuditTrail> audit, boolean required) throws Exception {
        Path root = dir.resolve("dicom");
        InstanceStore instances = new InstanceStore(root, store, new JdbcDicomIndex(db, root, false), 64 * MB, 256 * MB,
                2048 * MB, null, Clock.systemUTC(), audit, required, i -> { });
        try {
            StoreService.Receiving receiving = instances.begin(new StoreService.Request("MODALITY", "CAREBUS", "127.0.0.1",
                    TestImages.CT, ScpTest.sopInstanceOf(file), TestImages.EXPLICIT_LE));
            byte[] dataSet = ScpTest.dataSet(Files.readAllBytes(file));
            receiving.write(dataSet, 0, dataSet.length);
            return receiving.finish();
        } finally {
            instances.close();
        }
    }

    private Path instance(String name) throws Exception {
        return TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 64, (x, y) -> x + y), dir.resolve(name));
    }

    @Test
    void withNoTrailARequiredRecordMeansA700AndTheResendIsItsDuplicateOnceTheTrailIsBack() throws Exception {
        Path file = instance("a.dcm");
        AwaitedAuditTrail reference = new AwaitedAuditTrail();
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(300);
        Supplier<AuditTrail> awaiting = () -> reference.await(System.nanoTime() + waitNanos);

        long before = System.nanoTime();
        StoreService.Status refused = send(file, awaiting, true);
        assertThat(refused.code()).isEqualTo(StoreService.Status.OUT_OF_RESOURCES);
        assertThat(refused.comment()).contains("not audited");
        assertThat(System.nanoTime() - before).as("it waited for the trail first").isGreaterThanOrEqualTo(waitNanos);

        RecordingTrail trail = new RecordingTrail();
        reference.bind(trail);
        StoreService.Status resent = send(file, awaiting, true);
        assertThat(resent.code()).isEqualTo(StoreService.Status.SUCCESS);
        assertThat(trail.records).hasSize(1);
        assertThat(trail.records.get(0).detail()).contains("duplicate of message");
    }

    @Test
    void aTrailThatReturnsDuringTheWaitIsUsed() throws Exception {
        Path file = instance("b.dcm");
        AwaitedAuditTrail reference = new AwaitedAuditTrail();
        RecordingTrail trail = new RecordingTrail();
        CompletableFuture<Void> binding = CompletableFuture.runAsync(() -> {
            while (!reference.awaited()) {
                Thread.onSpinWait();
            }
            reference.bind(trail);
        });
        long waitNanos = TimeUnit.SECONDS.toNanos(30);
        StoreService.Status status = send(file, () -> reference.await(System.nanoTime() + waitNanos), true);
        binding.get(30, TimeUnit.SECONDS);
        assertThat(status.code()).isEqualTo(StoreService.Status.SUCCESS);
        assertThat(trail.records).hasSize(1);
        assertThat(trail.records.get(0).detail()).startsWith("C-STORE 0000");
    }

    @Test
    void notRequiredAnswersSuccessWithoutATrail() throws Exception {
        assertThat(send(instance("c.dcm"), () -> null, false).code()).isEqualTo(StoreService.Status.SUCCESS);
    }
}
