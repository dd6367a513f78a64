package io.carebus.store.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.Completion;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.testing.MessageStatusWait;
import io.carebus.store.testing.StoreOutage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The skeleton with a real store and a handler that stands for a protocol's mapping and route. */
class StoredMessageDispatcherTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private StoredMessageDispatcher<Void> dispatcher;
    private final List<String> routed = new CopyOnWriteArrayList<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();

    @BeforeEach
    void open() {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
    }

    @AfterEach
    void close() throws Exception {
        if (dispatcher != null) {
            dispatcher.close();
        }
        store.close();
    }

    /** Payload "key:name"; a name starting with "boom" fails in the route, "alone" runs alone. */
    private long stored(String payload) {
        return store.store(new InboundMessage("main", "peer", "TEST", "T", "1", payload, "sender", Instant.now(),
                payload.getBytes(StandardCharsets.UTF_8))).messageId();
    }

    private static String text(InboundMessage message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    /** Routes by recording the payload; the outcome PROCESSED. */
    private class Recording implements MessageHandler<Void> {
        @Override
        public Outcome handle(Item<Void> item) throws Exception {
            String payload = text(item.message());
            if (payload.contains("boom")) {
                throw new java.io.IOException("route broke on " + payload);
            }
            routed.add(payload);
            return Outcome.done(new Completion(item.id(), MessageStatus.PROCESSED, "done", null, null));
        }

        @Override
        public void queued(Item<Void> item) {
            queued.incrementAndGet();
        }

        @Override
        public void finished(Item<Void> item) {
            finished.incrementAndGet();
        }
    }

    private void awaitStatus(long id, MessageStatus status) throws InterruptedException {
        MessageStatusWait.await(store, id, status);
    }

    @Test
    void resumesWhatWasUnfinishedInArrivalOrder() throws Exception {
        long a = stored("1:a");
        long b = stored("2:b");
        long c = stored("1:c");
        dispatcher = StoredMessageDispatcher.builder("TEST", store, new Recording()).retry(Duration.ofMillis(20)).build().start();
        awaitStatus(c, MessageStatus.PROCESSED);
        awaitStatus(a, MessageStatus.PROCESSED);
        awaitStatus(b, MessageStatus.PROCESSED);
        assertThat(routed).containsExactly("1:a", "2:b", "1:c");
        assertThat(store.unfinished("TEST")).isEmpty();
    }

    @Test
    void anOutageNeitherLosesAMessageNorRunsItsRouteTwice() throws Exception {
        StoreOutage outage = new StoreOutage(store);
        dispatcher = StoredMessageDispatcher.builder("TEST", outage, new Recording()).retry(Duration.ofMillis(20)).build().start();
        long claimed = stored("1:claimed");
        long completed = stored("1:completed");
        outage.failFinds(2);
        dispatcher.submit(claimed);
        awaitStatus(claimed, MessageStatus.PROCESSED);
        outage.failCompletes(3);
        dispatcher.submit(completed);
        awaitStatus(completed, MessageStatus.PROCESSED);

        assertThat(outage.failed()).isEqualTo(5);
        assertThat(dispatcher.outages()).isEqualTo(5);
        assertThat(routed).containsExactly("1:claimed", "1:completed");
        assertThat(finished.get()).isEqualTo(queued.get()).isEqualTo(2);
    }

    @Test
    void aMessageThatFailsStaysReceivedAndTheLaneGoesOn() throws Exception {
        dispatcher = StoredMessageDispatcher.builder("TEST", store, new Recording()).retry(Duration.ofMillis(20)).build().start();
        long bad = stored("1:boom");
        long good = stored("1:good");
        dispatcher.submit(bad);
        dispatcher.submit(good);
        awaitStatus(good, MessageStatus.PROCESSED);
        assertThat(store.find(bad).orElseThrow().status()).isEqualTo(MessageStatus.RECEIVED);
        assertThat(routed).containsExactly("1:good");
        assertThat(finished.get()).as("the failed one left the dispatcher too").isEqualTo(2);
    }

    @Test
    void reprocessQueuesAgainAndRecordsWhoAsked() throws Exception {
        dispatcher = StoredMessageDispatcher.builder("TEST", store, new Recording()).retry(Duration.ofMillis(20)).build().start();
        long id = stored("1:again");
        dispatcher.submit(id);
        awaitStatus(id, MessageStatus.PROCESSED);
        dispatcher.reprocess(id, "admin");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (routed.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        awaitStatus(id, MessageStatus.PROCESSED);
        assertThat(routed).containsExactly("1:again", "1:again");
        assertThat(store.history(id)).extracting(h -> h.note()).anyMatch(n -> n.contains("requested by admin"));
    }

    /** Keys side by side, each key in arrival order; "alone" after everything before it and before everything after. */
    @Test
    void lanesRunKeysSideBySideInOrderAndAnAloneMessageByItself() throws Exception {
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<String> aloneSaw = new CopyOnWriteArrayList<>();
        // The first messages of keys 1 and 2 each wait until the other is running: only lanes side by side get past.
        CountDownLatch bothRunning = new CountDownLatch(2);
        MessageHandler<Void> handler = new Recording() {
            @Override
            public Outcome handle(Item<Void> item) throws Exception {
                String payload = text(item.message());
                int now = atOnce.incrementAndGet();
                mostAtOnce.accumulateAndGet(now, Math::max);
                if (payload.endsWith(":first")) {
                    bothRunning.countDown();
                    assertThat(bothRunning.await(10, TimeUnit.SECONDS)).isTrue();
                }
                if (payload.startsWith("alone")) {
                    aloneSaw.add(payload + " with " + (now - 1) + " others");
                }
                try {
                    return super.handle(item);
                } finally {
                    atOnce.decrementAndGet();
                }
            }
        };
        dispatcher = StoredMessageDispatcher.builder("TEST", store, handler).retry(Duration.ofMillis(20))
                .lanes(4, message -> {
                    String key = text(message).split(":")[0];
                    return new LaneKey() {
                        @Override
                        public int lane(int lanes) {
                            return Math.floorMod(key.hashCode(), lanes);
                        }

                        @Override
                        public boolean alone() {
                            return key.equals("alone");
                        }
                    };
                }).build().start();
        List<Long> ids = new java.util.ArrayList<>();
        // keys 1 and 2 must sit on different lanes of 4 for the latch: "1".hashCode() % 4 = 1, "2" -> 2
        for (String payload : List.of("1:first", "2:first", "1:b", "2:b", "1:c", "alone:merge", "1:d", "2:d")) {
            ids.add(stored(payload));
        }
        ids.forEach(dispatcher::submit);
        for (long id : ids) {
            awaitStatus(id, MessageStatus.PROCESSED);
        }
        assertThat(mostAtOnce.get()).isGreaterThan(1);
        assertThat(routed.stream().filter(p -> p.startsWith("1:")).toList()).containsExactly("1:first", "1:b", "1:c", "1:d");
        assertThat(routed.stream().filter(p -> p.startsWith("2:")).toList()).containsExactly("2:first", "2:b", "2:d");
        int merge = routed.indexOf("alone:merge");
        assertThat(routed.subList(0, merge)).containsExactlyInAnyOrder("1:first", "2:first", "1:b", "2:b", "1:c");
        assertThat(aloneSaw).containsExactly("alone:merge with 0 others");
    }
}
