package io.carebus.inference.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Coalesces concurrent requests to one session into batched runs: a worker takes the first waiting row, then
 * whatever else arrives within {@code maxWaitMicros} up to {@code maxBatch} rows, and runs them in one call. With
 * a wait of 0 it only batches what is already queued, so a lone request pays no waiting and a busy model amortises
 * the per-call cost (JNI crossing, tensor set-up) over many rows. Callers hold their reference on the model while
 * they wait, so the session cannot close under a batch.
 */
final class MicroBatcher {

    private record Request(float[] row, CompletableFuture<Map<String, Double>> answer) {
    }

    private static final Request STOP = new Request(null, null);

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
    Map<String, Double> run(float[] row) throws InterruptedException {
        CompletableFuture<Map<String, Double>> answer = new CompletableFuture<>();
        queue.add(new Request(row, answer));
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
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
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    Request next = maxWaitNanos == 0 ? queue.poll() : queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    if (next == STOP) {
                        queue.add(STOP);
                        break;
                    }
                    batch.add(next);
                }
                float[][] rows = new float[batch.size()][];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = batch.get(i).row();
                }
                try {
                    List<Map<String, Double>> outputs = model.run(rows);
                    for (int i = 0; i < rows.length; i++) {
                        batch.get(i).answer().complete(outputs.get(i));
                    }
                } catch (Exception | Error e) {
                    batch.forEach(r -> r.answer().completeExceptionally(e));
                }
                batch.clear();
            } catch (InterruptedException e) {
                batch.forEach(r -> r.answer().completeExceptionally(e));
                return;
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
