package io.carebus.inference.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces concurrent requests to one session into batched runs: a worker takes the first waiting row, then
 * whatever else arrives within {@code maxWaitMicros} up to {@code maxBatch} rows, and runs them in one call. With
 * a wait of 0 it only batches what is already queued, so a lone request pays no waiting and a busy model amortises
 * the per-call cost (JNI crossing, tensor set-up) over many rows. Callers hold their reference on the model while
 * they wait, so the session cannot close under a batch.
 * <p>
 * Waking the callers is spread over the callers themselves: the worker wakes the batch's first caller only, and each
 * woken caller wakes two more (a binary tree over the batch). Waking 64 threads one after another from the worker
 * costs more than the batched model call itself (a futex wake each, measured with JMH's stack profiler: over half
 * the worker's time), and it would keep the worker from the next batch.
 */
final class MicroBatcher {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);

    /** One caller's row, its outcome, and its place in the batch's wake-up tree (or its callback). */
    private static final class Request {
        final float[] row;
        final Thread caller;
        final BiConsumer<Map<String, Double>, RuntimeException> callback;
        Map<String, Double> output;
        RuntimeException failure;
        Request[] batch;
        int index;
        /** Set by the worker when it answers: an answer is given once, whatever fails after it. */
        boolean answered;
        /** Written last by the worker: everything above is visible once this is seen true. */
        volatile boolean done;

        Request(float[] row, Thread caller, BiConsumer<Map<String, Double>, RuntimeException> callback) {
            this.row = row;
            this.caller = caller;
            this.callback = callback;
        }

        void wakeChildren() {
            for (int child = 2 * index + 1; child <= 2 * index + 2 && child < batch.length; child++) {
                LockSupport.unpark(batch[child].caller);
            }
        }
    }

    private static final Request STOP = new Request(null, null, null);

    private final OrtModel model;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();

    MicroBatcher(OrtModel model, int maxBatch, long maxWaitMicros, int workers) {
        this.model = model;
        this.maxBatch = Math.max(1, maxBatch);
        this.maxWaitNanos = TimeUnit.MICROSECONDS.toNanos(Math.max(0, maxWaitMicros));
        for (int i = 0; i < Math.max(1, workers); i++) {
            Thread t = new Thread(this::work, "carebus-batch-" + model.id() + "-" + i);
            t.setDaemon(true);
            t.start();
            this.workers.add(t);
        }
    }

    /** Runs one row within a batch and waits for its outputs. */
    Map<String, Double> run(float[] row) {
        Request request = new Request(row, Thread.currentThread(), null);
        queue.add(request);
        boolean interrupted = false;
        while (!request.done) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                // The row is in a batch already or about to be: its answer still comes, and the tree below this
                // caller still needs waking, so wait on and report the interrupt afterwards.
                interrupted = true;
            }
        }
        request.wakeChildren();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (request.failure != null) {
            throw request.failure;
        }
        return request.output;
    }

    /**
     * Queues one row and returns at once; the callback gets the outputs (or the failure) on the batch worker's thread
     * when its batch has run. Nothing waits, so many requests can be in flight from few threads (an asynchronous
     * Camel route), and each batch costs no thread wake-ups at all.
     */
    void submit(float[] row, BiConsumer<Map<String, Double>, RuntimeException> callback) {
        queue.add(new Request(row, null, callback));
    }

    private void work() {
        List<Request> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                Request first = queue.take();
                if (first == STOP) {
                    return;
                }
                batch.add(first);
                // What is queued is taken in one step (one lock on the queue, not one per row), so two workers do not
                // split a burst row by row between them into two half-size batches.
                queue.drainTo(batch, maxBatch - 1);
                int stops = 0;
                for (int i = batch.size() - 1; i > 0; i--) {
                    if (batch.get(i) == STOP) {
                        batch.remove(i);
                        stops++;
                    }
                }
                long deadline = System.nanoTime() + maxWaitNanos;
                while (stops == 0 && batch.size() < maxBatch && maxWaitNanos > 0) {
                    Request next = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    } else if (next == STOP) {
                        stops++;
                    } else {
                        batch.add(next);
                    }
                }
                for (int i = 0; i < stops; i++) {
                    // one per worker: put back for this worker's next turn and its siblings
                    queue.add(STOP);
                }
                answer(batch);
                batch.clear();
            } catch (InterruptedException e) {
                answer(batch, new IllegalStateException("the batch worker of " + model.id() + " was stopped", e));
                return;
            } catch (RuntimeException | Error e) {
                // Whatever went wrong, every caller of this batch gets an answer and the worker goes on: a worker
                // that died would leave all later requests to this model waiting for ever.
                LOG.error("the batch worker of {} failed: {}", model.id(), e.toString());
                answer(batch, new IllegalStateException(model.id() + " failed: " + e, e));
                batch.clear();
            }
        }
    }

    private void answer(List<Request> batch) {
        float[][] rows = new float[batch.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).row;
        }
        Request[] requests = batch.toArray(new Request[0]);
        try {
            List<Map<String, Double>> outputs = model.run(rows);
            if (outputs.size() != requests.length) {
                throw new IllegalStateException(model.id() + " answered " + outputs.size() + " rows for " + requests.length);
            }
            for (int i = 0; i < requests.length; i++) {
                requests[i].output = outputs.get(i);
            }
        } catch (Exception | Error e) {
            answer(batch, e instanceof RuntimeException r ? r : new IllegalStateException(model.id() + " failed: " + e.getMessage(), e));
            return;
        }
        release(requests);
    }

    private void answer(List<Request> batch, RuntimeException failure) {
        Request[] requests = batch.toArray(new Request[0]);
        for (Request r : requests) {
            if (!r.answered) {
                r.failure = failure;
            }
        }
        release(requests);
    }

    /** Answers callbacks here, and wakes waiting callers through a tree among themselves. */
    private void release(Request[] all) {
        Request[] batch = java.util.Arrays.stream(all).filter(r -> !r.answered).toArray(Request[]::new);
        int waiting = 0;
        for (Request r : batch) {
            r.answered = true;
            if (r.callback == null) {
                waiting++;
            }
        }
        Request[] tree = new Request[waiting];
        int n = 0;
        for (Request r : batch) {
            if (r.callback == null) {
                r.batch = tree;
                r.index = n;
                tree[n++] = r;
            }
        }
        // Last to first: a caller that sees its own answer (before it parks, or waking spuriously) wakes its children,
        // whose answers must then already be marked, or they would park again with nobody left to wake them.
        for (int i = tree.length - 1; i >= 0; i--) {
            tree[i].done = true;
        }
        if (tree.length > 0) {
            LockSupport.unpark(tree[0].caller);
        }
        for (Request r : batch) {
            if (r.callback != null) {
                try {
                    r.callback.accept(r.output, r.failure);
                } catch (RuntimeException | Error e) {
                    LOG.warn("an inference callback of {} failed: {}", model.id(), e.toString());
                }
            }
        }
    }

    /** Stops the workers once the queue is drained (the model's last user has gone, so nothing is queued). */
    void close() {
        for (int i = 0; i < workers.size(); i++) {
            queue.add(STOP);
        }
    }
}
