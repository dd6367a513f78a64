package io.carebus.fhir.internal;

import io.carebus.api.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one EHR's outbox entries on one thread, oldest first: reads the EHR's CapabilityStatement (refusing to send
 * to anything but R4), writes each due entry, and records the answer before taking the next: DELIVERED, DEAD (4xx, or
 * out of attempts) or a later attempt with exponential backoff (Retry-After when the EHR gives one). A failed round
 * stops at the first retryable failure, so a server that is down or overloaded is not hammered with the whole queue.
 */
final class OutboxSender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxSender.class);
    private static final Duration CAPABILITIES_MAX_AGE = Duration.ofHours(1);
    private static final long IDLE_POLL_MILLIS = 5_000;

    private final String ehr;
    private final JdbcOutbox outbox;
    private final EhrClient client;
    private final Optional<Capabilities.WriteMode> configuredMode;
    private final int maxAttempts;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final int batch;
    private final Clock clock;
    private final Semaphore wake = new Semaphore(0);
    private final Thread worker;
    private volatile boolean running = true;

    private volatile Capabilities capabilities;
    private volatile Instant capabilitiesAt = Instant.MIN;
    private volatile String problem = "capabilities not read yet";
    private volatile String lastFailure;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dead = new AtomicLong();
    private int capabilityFailures;

    OutboxSender(String ehr, JdbcOutbox outbox, EhrClient client, Optional<Capabilities.WriteMode> configuredMode, int maxAttempts,
                 Duration backoffInitial, Duration backoffMax, int batch, Clock clock) {
        this.ehr = ehr;
        this.outbox = outbox;
        this.client = client;
        this.configuredMode = configuredMode;
        this.maxAttempts = Math.max(1, maxAttempts);
        this.backoffInitial = backoffInitial;
        this.backoffMax = backoffMax;
        this.batch = Math.max(1, batch);
        this.clock = clock;
        this.worker = new Thread(this::run, "carebus-ehr-" + ehr);
        this.worker.setDaemon(true);
    }

    OutboxSender start() {
        worker.start();
        return this;
    }

    /** New entries were queued: send now rather than at the next poll. */
    void wake() {
        wake.release();
    }

    Optional<Capabilities> capabilities() {
        return Optional.ofNullable(capabilities);
    }

    /** Why nothing can be sent now (configuration, version), or null. */
    String problem() {
        return problem;
    }

    String lastFailure() {
        return lastFailure;
    }

    long delivered() {
        return delivered.get();
    }

    long dead() {
        return dead.get();
    }

    private void run() {
        while (running) {
            try {
                if (!ensureCapabilities()) {
                    pause(backoff(++capabilityFailures).toMillis());
                    continue;
                }
                capabilityFailures = 0;
                List<JdbcOutbox.Due> due = outbox.due(ehr, batch);
                if (due.isEmpty()) {
                    long wait = outbox.nextDue(ehr).map(t -> t - clock.millis()).orElse(IDLE_POLL_MILLIS);
                    pause(Math.max(10, Math.min(wait, IDLE_POLL_MILLIS)));
                    continue;
                }
                int tried = 0;
                try {
                    while (tried < due.size() && running) {
                        if (!send(due.get(tried++))) {
                            break;
                        }
                    }
                } finally {
                    // Claimed but not tried (a retryable failure ended the round, a stop, an exception): due again now.
                    outbox.release(due.subList(tried, due.size()));
                }
            } catch (StoreUnavailableException e) {
                LOG.error("EHR {}: outbox unavailable: {}", ehr, e.getMessage());
                pause(backoffInitial.toMillis());
            } catch (RuntimeException e) {
                LOG.error("EHR {}: sender failed, continuing", ehr, e);
                pause(backoffInitial.toMillis());
            }
        }
    }

    private boolean ensureCapabilities() {
        if (capabilities != null && Duration.between(capabilitiesAt, clock.instant()).compareTo(CAPABILITIES_MAX_AGE) < 0) {
            return problem == null;
        }
        try {
            Capabilities read = client.capabilities();
            capabilities = read;
            capabilitiesAt = clock.instant();
            if (!read.isR4()) {
                problem = "EHR " + ehr + " speaks FHIR " + read.fhirVersion() + ", not R4 (4.0.x): nothing is sent";
                LOG.error(problem);
                return false;
            }
            problem = null;
            LOG.info("EHR {} at {}: FHIR {}, {} resource types", ehr, client.base(), read.fhirVersion(), read.types().size());
            return true;
        } catch (Exception e) {
            lastFailure = "reading the CapabilityStatement failed: " + e.getMessage();
            if (capabilities == null) {
                problem = "EHR " + ehr + " not reachable yet (" + FhirIntake.clean(e.getMessage()) + ")";
                LOG.warn("EHR {}: {}", ehr, lastFailure);
                return false;
            }
            return problem == null;
        }
    }

    /** Writes one entry and records the answer; false when the round should stop (a retryable failure). */
    private boolean send(JdbcOutbox.Due entry) {
        Capabilities.WriteMode mode = capabilities.modeFor(entry.resourceType(), configuredMode);
        EhrClient.Result result = client.write(entry, mode);
        int attempts = entry.attempts() + 1;
        switch (result.kind()) {
            case DELIVERED -> {
                outbox.delivered(entry, attempts, result.httpStatus(), result.location(), result.outcome());
                delivered.incrementAndGet();
                lastFailure = null;
                return true;
            }
            case DEAD -> {
                outbox.dead(entry, attempts, result.httpStatus(), result.outcome());
                dead.incrementAndGet();
                LOG.warn("EHR {}: outbox entry {} ({}) refused, dead letter: HTTP {}", ehr, entry.id(), entry.resourceType(),
                        result.httpStatus());
                return true;
            }
            default -> {
                lastFailure = result.outcome();
                if (attempts >= maxAttempts) {
                    outbox.dead(entry, attempts, result.httpStatus(), "gave up after " + attempts + " attempts; last: " + result.outcome());
                    dead.incrementAndGet();
                    LOG.warn("EHR {}: outbox entry {} gave up after {} attempts", ehr, entry.id(), attempts);
                    return true;
                }
                Duration delay = result.retryAfter() != null ? result.retryAfter() : backoff(attempts);
                outbox.retryLater(entry, attempts, clock.instant().plus(delay), result.httpStatus(), result.outcome());
                LOG.info("EHR {}: outbox entry {} attempt {} failed ({}), next in {} ms", ehr, entry.id(), attempts,
                        result.httpStatus() == null ? "no answer" : "HTTP " + result.httpStatus(), delay.toMillis());
                return false;
            }
        }
    }

    /** initial x 2^(attempt-1), capped. */
    Duration backoff(int attempt) {
        long millis = backoffInitial.toMillis() << Math.min(20, Math.max(0, attempt - 1));
        return Duration.ofMillis(Math.min(millis, backoffMax.toMillis()));
    }

    private void pause(long millis) {
        try {
            if (wake.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        worker.interrupt();
        worker.join(10_000);
    }
}
