package io.carebus.context.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hourly, the first run a minute after start; a failed run is logged and tried again the next hour. */
final class ContextRetention implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ContextRetention.class);

    private final ScheduledExecutorService job = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "carebus-context-retention");
        t.setDaemon(true);
        return t;
    });

    ContextRetention(TimelineStore store, Duration keep, Clock clock) {
        job.scheduleWithFixedDelay(() -> run(store, keep, clock), 1, 60, TimeUnit.MINUTES);
    }

    static int run(TimelineStore store, Duration keep, Clock clock) {
        try {
            int removed = store.prune(clock.instant().minus(keep));
            if (removed > 0) {
                LOG.info("Patient context retention: {} entries older than {} removed", removed, keep);
            }
            return removed;
        } catch (Exception e) {
            LOG.error("Patient context retention failed (next try in an hour): {}", e.toString());
            return 0;
        }
    }

    @Override
    public void close() {
        job.shutdownNow();
    }
}
