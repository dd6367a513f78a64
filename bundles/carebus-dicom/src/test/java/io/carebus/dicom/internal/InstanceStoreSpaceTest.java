package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.dicom.internal.net.StoreService;
import io.carebus.dicom.testing.TestImages;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.StoreDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Free space is asked again while an instance arrives, not only when its C-STORE begins. */
class InstanceStoreSpaceTest {

    private static final long MB = 1024 * 1024;

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DataSource db;
    private final AtomicLong free = new AtomicLong(10_000 * MB);

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

    private StoreService.Status send(Path file, Runnable afterFirstChunk) throws Exception {
        Path root = dir.resolve("dicom");
        InstanceStore instances = new InstanceStore(root, store, new JdbcDicomIndex(db, root, false), 512 * MB, 256 * MB,
                2048 * MB, free::get, Clock.systemUTC(), () -> null, false, i -> { });
        try {
            StoreService.Receiving receiving = instances.begin(new StoreService.Request("MODALITY", "CAREBUS", "127.0.0.1",
                    TestImages.CT, ScpTest.sopInstanceOf(file), TestImages.EXPLICIT_LE));
            byte[] dataSet = ScpTest.dataSet(Files.readAllBytes(file));
            for (int at = 0; at < dataSet.length; at += 64 * 1024) {
                receiving.write(dataSet, at, Math.min(64 * 1024, dataSet.length - at));
                if (at == 0) {
                    afterFirstChunk.run();
                }
            }
            return receiving.finish();
        } finally {
            instances.close();
        }
    }

    @Test
    void spaceThatRunsOutDuringAnInstanceGetsA700AndNothingIsKept() throws Exception {
        // 1500 × 1500 × 2 bytes: 4.5 MB, past the first re-check at 4 MB
        Path big = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 1500, (x, y) -> x), dir.resolve("big.dcm"));
        StoreService.Status status = send(big, () -> free.set(100 * MB));
        assertThat(status.code()).isEqualTo(StoreService.Status.OUT_OF_RESOURCES);
        assertThat(status.comment()).contains("storage full");
        for (String folder : new String[] {"incoming", "rejected", "instances"}) {
            try (Stream<Path> files = Files.walk(dir.resolve("dicom").resolve(folder))) {
                assertThat(files.filter(Files::isRegularFile)).as(folder).isEmpty();
            }
        }
    }

    @Test
    void theSameInstanceIsStoredWhileSpaceLasts() throws Exception {
        Path big = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 1500, (x, y) -> x), dir.resolve("big.dcm"));
        assertThat(send(big, () -> { }).code()).isEqualTo(StoreService.Status.SUCCESS);
    }
}
