package io.carebus.audit.internal;

import io.carebus.audit.AuditEntry;
import io.carebus.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the trail to one destination, oldest record first, on its own thread: read after the cursor, send, move the
 * cursor. A failed send keeps the cursor and is retried with exponential backoff (or after the destination's
 * Retry-After), so the copy has no gaps; a record can reach the destination twice only if the engine stops between a
 * send and the cursor update (the FHIR sink's PUT-by-id makes that harmless there; ATNA messages carry the chain
 * sequence number so a collector can tell).
 */
final class AuditExporter implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditExporter.class);

    private final ExportSink sink;
    private final AuditLog log;
    private final ExportCursors cursors;
    private final int readBatch;
    private final long pollMillis;
    private final long maxBackoffMillis;
    private final Clock clock;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile long cursor = -1;
    private volatile Instant failingSince;
    private volatile String lastError;
    private volatile boolean running = true;

    AuditExporter(ExportSink sink, AuditLog log, ExportCursors cursors, int readBatch, long pollMillis,
            long maxBackoffMillis, Clock clock) {
        this.sink = sink;
        this.log = log;
        this.cursors = cursors;
        this.readBatch = Math.max(1, readBatch);
        this.pollMillis = Math.max(10, pollMillis);
        this.maxBackoffMillis = Math.max(1000, maxBackoffMillis);
        this.clock = clock;
    }

    /** Where a destination without a cursor starts: after the current head ('now') or at the first record. */
    void start(boolean fromNow) throws java.sql.SQLException {
        var stored = cursors.get(sink.destination());
        if (stored.isPresent()) {
            cursor = stored.getAsLong();
        } else {
            cursor = fromNow ? cursors.head() : 0;
            cursors.set(sink.destination(), cursor);
        }
        LOG.info("Audit export to {} continues after record {}", sink.destination(), cursor);
    }

    @Override
    public void run() {
        long backoff = 1000;
        while (running) {
            try {
                List<AuditEntry> batch = log.read(cursor + 1, readBatch);
                if (batch.isEmpty()) {
                    sleep(pollMillis);
                    continue;
                }
                int refusedNow = sink.send(batch);
                long last = batch.get(batch.size() - 1).seq();
                cursors.set(sink.destination(), last);
                cursor = last;
                sent.addAndGet(batch.size() - refusedNow);
                refused.addAndGet(refusedNow);
                if (failingSince != null) {
                    LOG.info("Audit export to {} works again", sink.destination());
                }
                failingSince = null;
                lastError = null;
                backoff = 1000;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                if (failingSince == null) {
                    failingSince = clock.instant();
                }
                lastError = describe(e);
                long wait = e instanceof RetryableSendException r && r.retryAfterSeconds() >= 0
                        ? Math.min(maxBackoffMillis, r.retryAfterSeconds() * 1000) : backoff;
                LOG.warn("Audit export to {} failed after record {} (retrying in {} ms): {}", sink.destination(), cursor,
                        wait, lastError);
                try {
                    sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(maxBackoffMillis, backoff * 2);
            }
        }
    }

    /** The exception and its causes: TLS failures say what was wrong only in a cause. */
    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    private static void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    void stop() {
        running = false;
        sink.close();
    }

    String destination() {
        return sink.destination();
    }

    long cursor() {
        return cursor;
    }

    /** The destination has been failing for longer than {@code limit}. */
    boolean failingLongerThan(Duration limit) {
        Instant since = failingSince;
        return since != null && Duration.between(since, clock.instant()).compareTo(limit) > 0;
    }

    Map<String, Object> details() {
        String error = lastError;
        return Map.of("cursor", cursor, "sent", sent.get(), "refused", refused.get(),
                "failingSince", failingSince == null ? "" : failingSince.toString(), "lastError", error == null ? "" : error);
    }
}
