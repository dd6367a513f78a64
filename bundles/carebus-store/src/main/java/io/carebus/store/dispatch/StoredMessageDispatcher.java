package io.carebus.store.dispatch;

import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoreUnavailableException;
import io.carebus.api.store.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processing after the acknowledgement, for every protocol: stored messages are handed to a {@link MessageHandler}
 * (the protocol's mapping and route), and their outcomes recorded.
 *
 * <ul>
 *   <li><b>Resume:</b> {@link #start()} first queues every message of the protocol stored but not finished (a crash,
 *       a kill -9).</li>
 *   <li><b>Lanes:</b> a router takes messages in arrival order and gives each to one of {@code lanes} lanes by its
 *       {@link LaneKey}, so messages with one key run in order and others beside them; a key that runs
 *       {@link LaneKey#alone() alone} waits until every lane is idle. One lane (the default) is strict arrival order.</li>
 *   <li><b>Batched outcomes:</b> each lane records up to {@value #MAX_BATCH} outcomes in one store transaction,
 *       written as soon as its queue runs dry.</li>
 *   <li><b>Store outages:</b> a message whose route has not run yet goes back to the head of the queue; outcomes
 *       already gathered stay in the batch for the next try. So an outage neither loses a message nor runs a route
 *       twice; nothing waits for a restart.</li>
 *   <li><b>Other failures</b> of one message ({@link Exception}) are logged by id and exception class (no content,
 *       so no PHI) and the message stays RECEIVED for the next start or a reprocess; it is not queued again, so a
 *       message that always fails cannot stall its lane. An {@link Error} is not caught: it ends the thread and is
 *       logged (the JVM exits on OutOfMemoryError and its service manager restarts it).</li>
 * </ul>
 * Delivery to the route is at least once: a crash after a route ran but before its batch was written runs that
 * message again on restart.
 *
 * @param <T> the protocol's parsed form carried in an {@link Item}
 */
public final class StoredMessageDispatcher<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoredMessageDispatcher.class);
    /** Outcomes recorded per batch: one store transaction for up to this many messages. */
    public static final int MAX_BATCH = 64;
    /** Beyond this backlog, queued messages keep only their id (and are read back from the store when their turn comes). */
    static final int IN_MEMORY_BACKLOG = 1_000;

    private final String protocol;
    private final MessageStore store;
    private final MessageHandler<T> handler;
    private final long retryMillis;
    private final long pollMillis;
    private final Function<InboundMessage, LaneKey> laneKey;
    private final BlockingDeque<Item<T>> queue = new LinkedBlockingDeque<>();
    private final List<DispatchLane<T>> lanes = new ArrayList<>();
    /** Messages handed to a lane and not yet finished there; notified (on itself) when it falls to 0. */
    private final AtomicInteger inLanes = new AtomicInteger();
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong outages = new AtomicLong();
    private final Thread router;
    private volatile boolean running = true;

    private StoredMessageDispatcher(Builder<T> b) {
        this.protocol = b.protocol;
        this.store = b.store;
        this.handler = b.handler;
        this.retryMillis = b.retry.toMillis();
        this.pollMillis = b.poll.toMillis();
        this.laneKey = b.laneKey;
        for (int i = 0; i < Math.max(1, b.lanes); i++) {
            lanes.add(new DispatchLane<>(this, i, b.threadName + "-lane-" + i));
        }
        router = new Thread(this::route, b.threadName);
        router.setDaemon(true);
        router.setUncaughtExceptionHandler((t, e) -> LOG.error("{} processing stopped: {}", protocol, e.toString()));
    }

    public static <T> Builder<T> builder(String protocol, MessageStore store, MessageHandler<T> handler) {
        return new Builder<>(protocol, store, handler);
    }

    /** Queues what a previous run left unfinished, then starts processing. */
    public StoredMessageDispatcher<T> start() {
        List<Long> unfinished = store.unfinished(protocol);
        unfinished.forEach(id -> submit(Item.of(id)));
        if (!unfinished.isEmpty()) {
            LOG.info("Resuming {} stored {} messages not processed before the last stop", unfinished.size(), protocol);
        }
        lanes.forEach(DispatchLane::start);
        router.start();
        return this;
    }

    /** Queues a freshly stored message. */
    public void submit(Item<T> item) {
        handler.queued(item);
        queue.add(item.message() == null || queue.size() < IN_MEMORY_BACKLOG ? item : item.light());
    }

    public void submit(long messageId) {
        submit(Item.of(messageId));
    }

    /** Marks a stored message RECEIVED again, recording who asked, and queues it. */
    public void reprocess(long messageId, String requestedBy) {
        StoredMessage message = store.find(messageId).orElseThrow(() -> new IllegalArgumentException("no message " + messageId));
        if (!protocol.equals(message.message().protocol())) {
            throw new IllegalArgumentException("message " + messageId + " is not " + protocol);
        }
        handler.checkReprocess(message);
        store.updateStatus(messageId, MessageStatus.RECEIVED, "reprocessing requested by " + requestedBy);
        submit(Item.of(messageId));
    }

    /** How often a message waited because no route consumed its endpoint (for monitoring and tests). */
    public long waits() {
        return waits.get();
    }

    /** How often a store outage paused processing. */
    public long outages() {
        return outages.get();
    }

    /** The router: arrival order in, one lane per key out; a message that runs alone waits for idle lanes. */
    private void route() {
        while (running) {
            Item<T> next = null;
            try {
                next = queue.poll(pollMillis, TimeUnit.MILLISECONDS);
                if (next == null) {
                    continue;
                }
                LaneKey key = LaneKey.FIRST;
                if (laneKey != null) {
                    if (next.message() == null) {
                        Item<T> loaded = load(next);
                        if (loaded == null) {
                            handler.finished(next);
                            continue;
                        }
                        // Read once here, kept for the lane while the backlog is small.
                        next = inLanes.get() < IN_MEMORY_BACKLOG ? loaded : next;
                        key = laneKey.apply(loaded.message());
                    } else {
                        key = laneKey.apply(next.message());
                    }
                }
                if (inLanes.get() >= IN_MEMORY_BACKLOG) {
                    next = next.light();
                }
                if (key.alone()) {
                    awaitLanesIdle();
                }
                inLanes.incrementAndGet();
                lanes.get(key.lane(lanes.size())).hand(next);
                if (key.alone()) {
                    awaitLanesIdle();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                paused(e);
                if (next != null) {
                    queue.addFirst(next);
                }
                sleepQuietly(retryMillis);
            } catch (Exception e) {
                failed(next, e);
                if (next != null) {
                    handler.finished(next);
                }
                sleepQuietly(Math.min(retryMillis, 1000));
            }
        }
    }

    /** The item with its stored message, or null when there is nothing to do (gone, not RECEIVED, other protocol). */
    Item<T> load(Item<T> item) {
        StoredMessage stored = store.find(item.id()).orElse(null);
        if (stored == null || stored.status() != MessageStatus.RECEIVED || !protocol.equals(stored.message().protocol())) {
            return null;
        }
        return item.with(stored.message());
    }

    /** The item left its lane (or the router): the handler hears of it, and a waiting alone-message may go. */
    void left(Item<T> item) {
        handler.finished(item);
        if (inLanes.decrementAndGet() == 0) {
            synchronized (inLanes) {
                inLanes.notifyAll();
            }
        }
    }

    private void awaitLanesIdle() throws InterruptedException {
        synchronized (inLanes) {
            while (inLanes.get() > 0 && running) {
                inLanes.wait(100);
            }
        }
    }

    void paused(StoreUnavailableException e) {
        outages.incrementAndGet();
        LOG.error("{} processing paused, the store is unavailable: {}", protocol, e.getMessage());
    }

    void failed(Item<T> item, Exception e) {
        // The class only: an exception's message may quote the payload (PHI).
        LOG.error("{} processing of message {} failed, it stays RECEIVED: {}", protocol, item == null ? "-" : item.id(),
                e.getClass().getName());
    }

    void waited() {
        waits.incrementAndGet();
    }

    boolean running() {
        return running;
    }

    String protocol() {
        return protocol;
    }

    MessageStore store() {
        return store;
    }

    MessageHandler<T> handler() {
        return handler;
    }

    long retryMillis() {
        return retryMillis;
    }

    long pollMillis() {
        return pollMillis;
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the threads (each records the outcomes it gathered, if the store takes them) and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        router.interrupt();
        lanes.forEach(DispatchLane::interrupt);
        router.join(TimeUnit.SECONDS.toMillis(10));
        for (DispatchLane<T> lane : lanes) {
            lane.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    public static final class Builder<T> {
        private final String protocol;
        private final MessageStore store;
        private final MessageHandler<T> handler;
        private Duration retry = Duration.ofSeconds(5);
        private Duration poll = Duration.ofMillis(500);
        private int lanes = 1;
        private Function<InboundMessage, LaneKey> laneKey;
        private String threadName;

        private Builder(String protocol, MessageStore store, MessageHandler<T> handler) {
            this.protocol = Objects.requireNonNull(protocol);
            this.store = Objects.requireNonNull(store);
            this.handler = Objects.requireNonNull(handler);
            this.threadName = "carebus-" + protocol.toLowerCase(java.util.Locale.ROOT) + "-dispatcher";
        }

        /** How long to wait before trying again when no route consumes the endpoint, or the store is down. */
        public Builder<T> retry(Duration retry) {
            this.retry = retry;
            return this;
        }

        /** How long an idle lane waits for work before it records its batch and ticks the handler. */
        public Builder<T> poll(Duration poll) {
            this.poll = poll;
            return this;
        }

        /** {@code lanes} lanes side by side, chosen per message by {@code key} (read from the stored message). */
        public Builder<T> lanes(int lanes, Function<InboundMessage, LaneKey> key) {
            this.lanes = lanes;
            this.laneKey = key;
            return this;
        }

        public Builder<T> threadName(String threadName) {
            this.threadName = threadName;
            return this;
        }

        /** Builds it; {@link StoredMessageDispatcher#start()} starts it. */
        public StoredMessageDispatcher<T> build() {
            return new StoredMessageDispatcher<>(this);
        }
    }
}
