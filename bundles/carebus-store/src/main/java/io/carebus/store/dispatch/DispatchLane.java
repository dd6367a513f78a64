package io.carebus.store.dispatch;

import io.carebus.api.store.Completion;
import io.carebus.api.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One worker of a {@link StoredMessageDispatcher}: its messages in the order the router gave them, outcomes batched. */
final class DispatchLane<T> {

    private static final Logger LOG = LoggerFactory.getLogger(DispatchLane.class);

    private final StoredMessageDispatcher<T> dispatcher;
    private final boolean ticks;
    private final BlockingDeque<Item<T>> queue = new LinkedBlockingDeque<>();
    private final List<Completion> completed = new ArrayList<>();
    private final Thread thread;

    DispatchLane(StoredMessageDispatcher<T> dispatcher, int number, String threadName) {
        this.dispatcher = dispatcher;
        this.ticks = number == 0;
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) -> LOG.error("{} processing stopped on {}: {}", dispatcher.protocol(),
                t.getName(), e.toString()));
    }

    void start() {
        thread.start();
    }

    void interrupt() {
        thread.interrupt();
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    void hand(Item<T> item) {
        queue.add(item);
    }

    private void run() {
        while (dispatcher.running()) {
            Item<T> next = null;
            boolean routed = false;
            try {
                next = queue.poll(dispatcher.pollMillis(), TimeUnit.MILLISECONDS);
                if (next == null) {
                    tick();
                    flush();
                    continue;
                }
                Item<T> item = next.message() != null ? next : dispatcher.load(next);
                Outcome outcome = item == null ? Outcome.NONE : dispatcher.handler().handle(item);
                routed = true;
                if (outcome == Outcome.WAIT) {
                    dispatcher.waited();
                    queue.addFirst(next);
                    next = null; // queued again: still in the lane, whatever the flush does
                    flush();
                    Thread.sleep(dispatcher.retryMillis());
                    continue;
                }
                if (outcome.completion() != null) {
                    completed.add(outcome.completion());
                }
                dispatcher.left(next);
                next = null;
                tick();
                if (completed.size() >= StoredMessageDispatcher.MAX_BATCH || queue.isEmpty()) {
                    flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (StoreUnavailableException e) {
                dispatcher.paused(e);
                // Only a message whose route has not run goes back to the queue; outcomes already gathered wait in the
                // batch for the next flush, so a store outage never runs a route twice and never loses a message.
                if (next != null && !routed) {
                    queue.addFirst(next);
                } else if (next != null) {
                    dispatcher.left(next);
                }
                StoredMessageDispatcher.sleepQuietly(dispatcher.retryMillis());
            } catch (Exception e) {
                dispatcher.failed(next, e);
                if (next != null) {
                    dispatcher.left(next);
                }
                StoredMessageDispatcher.sleepQuietly(Math.min(dispatcher.retryMillis(), 1000));
            }
        }
        lastFlush();
    }

    /** Outcomes that fell due at the handler (the first lane only: the handler's tick is single-threaded). */
    private void tick() throws Exception {
        if (ticks) {
            completed.addAll(dispatcher.handler().tick());
        }
    }

    /** Records the outcomes gathered so far in one transaction; they stay for the next try when the store fails. */
    private void flush() {
        if (!completed.isEmpty()) {
            dispatcher.store().complete(List.copyOf(completed));
            completed.clear();
        }
    }

    /** At stop: what ran is recorded if the store still takes it, so a restart does not run it again. */
    private void lastFlush() {
        boolean interrupted = Thread.interrupted();
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("{}: {} outcomes not recorded at stop, those messages run again at the next start: {}",
                    dispatcher.protocol(), completed.size(), e.getClass().getName());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
