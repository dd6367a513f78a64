package io.carebus.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One forced write covers every commit made before it began, whoever made it; none is skipped that is needed. */
class H2DurabilityTest {

    @TempDir
    Path dir;

    @Test
    void aSyncCoversTheCommitsBeforeItAndOnlyThose() throws Exception {
        String url = StoreDatabases.embeddedUrl(dir.resolve("db"));
        AtomicInteger syncs = new AtomicInteger();
        H2Durability.ConnectionSource counting = () -> {
            syncs.incrementAndGet();
            return DriverManager.getConnection(url, "sa", "");
        };
        H2Durability durability = H2Durability.unshared();
        long first = durability.committed();
        durability.awaitDurable(first, counting, true);
        assertThat(syncs).hasValue(1);
        durability.awaitDurable(first, counting, true);
        assertThat(syncs).as("already on disk").hasValue(1);

        long second = durability.committed();
        long third = durability.committed();
        durability.awaitDurable(third, counting, true);
        durability.awaitDurable(second, counting, true);
        assertThat(syncs).as("one sync for both").hasValue(2);

        long fourth = durability.committed();
        durability.awaitDurable(fourth, counting, true);
        assertThat(syncs).as("a commit after the last sync needs its own").hasValue(3);
    }

    @Test
    void concurrentWritersShareOneSyncAndAllReturn() throws Exception {
        String url = StoreDatabases.embeddedUrl(dir.resolve("db"));
        try (Connection keepOpen = DriverManager.getConnection(url, "sa", "")) {
            AtomicInteger syncs = new AtomicInteger();
            H2Durability.ConnectionSource counting = () -> {
                syncs.incrementAndGet();
                return DriverManager.getConnection(url, "sa", "");
            };
            H2Durability durability = H2Durability.of(url);
            assertThat(H2Durability.of(url)).isSameAs(durability);
            int writers = 8;
            CountDownLatch allCommitted = new CountDownLatch(writers);
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                done.add(pool.submit(() -> {
                    long ticket = durability.committed();
                    // every commit is made before any writer asks for a sync: the first sync covers them all, and
                    // the others either wait for it or find it done
                    allCommitted.countDown();
                    allCommitted.await();
                    durability.awaitDurable(ticket, counting, true);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(syncs).hasValue(1);
        }
    }
}
