package io.carebus.hl7.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import io.carebus.api.store.Completion;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.hl7.Hl7Headers;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processing after the ACK: stored HL7v2 messages are mapped to their canonical FHIR form (kept in the store, and
 * handed to the route as a header), handed to the configured endpoint, and recorded PROCESSED or ERROR.
 *
 * <p>Order and parallelism: a router thread takes the messages in arrival order and gives each to one of
 * {@code workers} lanes by its patient ({@link PatientLaneKey}: the first PID-3 ID and authority), so a patient's
 * messages run one after another, in the order they arrived, while other patients' run beside them. Messages without
 * a patient keep their arrival order on the first lane. A message with an MRG segment (a merge or move touches two
 * patients) waits until every lane is idle and runs alone. With {@code workers = 1} every message runs in arrival
 * order, as before lanes existed. Each lane records the outcomes of up to {@value #MAX_BATCH} messages in one store
 * transaction, written as soon as its queue runs dry, so a busy engine commits less often and an idle one records
 * each at once.
 *
 * <p>At start it first resumes every message a previous run stored but did not finish (a crash, a kill -9). While no
 * route consumes the endpoint, messages wait (RECEIVED) rather than fail. Delivery to the route is at least once: a
 * crash after the route finished but before the batch with its status was written runs that message (and the rest of
 * its batch) again on restart.
 */
@Component(service = {Hl7Dispatcher.class, MessageProcessing.class}, immediate = true, configurationPid = "io.carebus.hl7.processing")
@Designate(ocd = DispatcherConfig.class)
public class Hl7Dispatcher implements MessageProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Dispatcher.class);
    static final String FILTERED_PROPERTY = "CareBusFiltered";

    private final MessageStore store;
    private final ProducerTemplate producer;
    private final String endpoint;
    private final long retryMillis;
    private final CanonicalForm canonical;
    private final ApplicationAcks applicationAcks;
    /** Beyond this backlog, queued messages keep only their id (and are read back from the store when their turn comes). */
    static final int IN_MEMORY_BACKLOG = 1_000;

    /** A message to process: its id, and when it comes straight from intake the message and its parse. */
    record Pending(long id, InboundMessage message, Message parsed) {
    }

    /** Outcomes recorded per batch: one store transaction for up to this many messages. */
    static final int MAX_BATCH = 64;
    private static final Completion WAIT = new Completion(-1, MessageStatus.RECEIVED, "wait", null, null);

    private final BlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final List<Lane> lanes = new java.util.ArrayList<>();
    /** Messages handed to a lane and not yet finished there (guarded by itself; notified when it falls to 0). */
    private final java.util.concurrent.atomic.AtomicInteger inLanes = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread router;
    private volatile boolean running = true;

    @Activate
    public Hl7Dispatcher(DispatcherConfig config, @Reference MessageStore store, @Reference CamelContext camel) {
        this(store, camel, config.endpoint(), TimeUnit.SECONDS.toMillis(config.retry_seconds()), workers(config.workers()));
    }

    Hl7Dispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis) {
        this(store, camel, endpoint, retryMillis, 2);
    }

    Hl7Dispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis, int workers) {
        this(store, camel, endpoint, retryMillis, new CanonicalForm(FhirContext.forR4(), ZoneId.systemDefault()), workers);
    }

    Hl7Dispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis, CanonicalForm canonical, int workers) {
        this.store = store;
        this.producer = camel.createProducerTemplate();
        this.canonical = canonical;
        this.applicationAcks = new ApplicationAcks(producer);
        this.endpoint = endpoint;
        this.retryMillis = retryMillis;
        for (long id : store.unfinished("HL7v2")) {
            queue.add(new Pending(id, null, null));
        }
        if (!queue.isEmpty()) {
            LOG.info("Resuming {} stored HL7v2 messages not processed before the last stop", queue.size());
        }
        for (int i = 0; i < Math.max(1, workers); i++) {
            lanes.add(new Lane(i));
        }
        router = new Thread(this::route, "carebus-hl7-dispatcher");
        router.setDaemon(true);
        // An Error ends the thread (it is not caught in the loop); at least it is said, not lost on stderr.
        router.setUncaughtExceptionHandler((t, e) -> LOG.error("HL7v2 processing stopped: {}", e.toString()));
        lanes.forEach(lane -> lane.thread.start());
        router.start();
    }

    /** {@code workers = 0} (the default) is one lane per processor, at least two. */
    static int workers(int configured) {
        return configured > 0 ? configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Where a listener's senders take their application ACKs (a Camel endpoint URI; blank = none). */
    void applicationAckEndpoint(String listener, String endpointUri) {
        applicationAcks.register(listener, endpointUri);
    }

    void forgetListener(String listener) {
        applicationAcks.unregister(listener);
    }

    /** Queues a freshly stored message. */
    void submit(long messageId) {
        queue.add(new Pending(messageId, null, null));
    }

    void submit(Pending pending) {
        queue.add(pending.message() == null || queue.size() < IN_MEMORY_BACKLOG ? pending : new Pending(pending.id(), null, null));
    }

    @Override
    public String protocol() {
        return "HL7v2";
    }

    @Override
    public void reprocess(long messageId, String requestedBy) {
        StoredMessage message = store.find(messageId).orElseThrow(() -> new IllegalArgumentException("no message " + messageId));
        if (!"HL7v2".equals(message.message().protocol())) {
            throw new IllegalArgumentException("message " + messageId + " is not HL7v2");
        }
        if (message.error() != null && message.error().contains(Hl7Intake.TRUNCATED)) {
            throw new IllegalArgumentException("only the start of message " + messageId + " was kept; the sender must send it again");
        }
        store.updateStatus(messageId, MessageStatus.RECEIVED, "reprocessing requested by " + requestedBy);
        queue.add(new Pending(messageId, null, null));
    }

    /** The router: arrival order in, one lane per patient out; merges alone. */
    private void route() {
        while (running) {
            Pending next = null;
            try {
                next = queue.poll(500, TimeUnit.MILLISECONDS);
                if (next == null) {
                    continue;
                }
                InboundMessage message = next.message();
                if (message == null) {
                    StoredMessage stored = store.find(next.id()).orElse(null);
                    if (stored == null || stored.status() != MessageStatus.RECEIVED || !"HL7v2".equals(stored.message().protocol())) {
                        continue;
                    }
                    message = stored.message();
                    if (inLanes.get() < IN_MEMORY_BACKLOG) {
                        // Read once here, kept for the lane while the backlog is small.
                        next = new Pending(next.id(), message, null);
                    }
                } else if (inLanes.get() >= IN_MEMORY_BACKLOG) {
                    next = new Pending(next.id(), null, null);
                }
                PatientLaneKey key = PatientLaneKey.of(message.payload());
                if (key.merge()) {
                    awaitLanesIdle();
                }
                handOver(lanes.get(key.lane(lanes.size())), next);
                if (key.merge()) {
                    awaitLanesIdle();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                LOG.error("HL7v2 processing paused: {}", e.getMessage());
                if (next != null) {
                    queue.addFirst(next);
                }
                sleepQuietly(retryMillis);
            }
        }
    }

    private void handOver(Lane lane, Pending pending) {
        inLanes.incrementAndGet();
        lane.queue.add(pending);
    }

    private void finished() {
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

    /** One worker: its patients' messages in the order the router gave them, outcomes batched per lane. */
    private final class Lane {
        final BlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
        final List<Completion> completed = new java.util.ArrayList<>();
        final Thread thread;

        Lane(int number) {
            thread = new Thread(this::run, "carebus-hl7-lane-" + number);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("HL7v2 processing stopped on {}: {}", t.getName(), e.toString()));
        }

        private void run() {
            while (running) {
                Pending next = null;
                boolean routed = false;
                try {
                    next = queue.poll(500, TimeUnit.MILLISECONDS);
                    if (next == null) {
                        flush();
                        continue;
                    }
                    Completion done = dispatch(next);
                    routed = true;
                    if (done == WAIT) {
                        queue.addFirst(next);
                        next = null; // queued again: still in the lane, whatever the flush does
                        flush();
                        Thread.sleep(retryMillis);
                        continue;
                    }
                    if (done != null) {
                        completed.add(done);
                    }
                    if (completed.size() >= MAX_BATCH || queue.isEmpty()) {
                        flush();
                    }
                    finished();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (StoreUnavailableException e) {
                    LOG.error("HL7v2 processing paused: {}", e.getMessage());
                    // Only a message whose route has not run yet goes back to the queue; outcomes already gathered wait
                    // in the batch for the next flush, so a store outage never runs a route twice.
                    if (next != null && !routed) {
                        queue.addFirst(next);
                    } else if (next != null) {
                        finished();
                    }
                    sleepQuietly(retryMillis);
                } catch (RuntimeException e) {
                    // Anything else must not end a processing thread. The message stays RECEIVED in the store, so it is
                    // taken up again at the next start or by a reprocess; it is not queued again here, so a message
                    // that always fails cannot stall the lane. Errors (OutOfMemoryError) are not caught: the JVM exits
                    // (-XX:+ExitOnOutOfMemoryError) and its service manager restarts it.
                    LOG.error("HL7v2 processing of message {} failed, it stays RECEIVED: {}", next == null ? "-" : next.id(),
                            e.getClass().getName());
                    if (next != null) {
                        finished();
                    }
                    sleepQuietly(Math.min(retryMillis, 1000));
                }
            }
        }

        /** Records the outcomes gathered so far in one transaction; they stay for the next try when the store fails. */
        private void flush() {
            if (!completed.isEmpty()) {
                store.complete(List.copyOf(completed));
                completed.clear();
            }
        }
    }

    /**
     * Maps and routes one message; returns its outcome, {@link #WAIT} when it must wait (no route consumes the
     * endpoint yet), or null when there is nothing to do (gone, or no longer RECEIVED).
     */
    private Completion dispatch(Pending pending) {
        long id = pending.id();
        InboundMessage inbound = pending.message();
        Message parsed = pending.parsed();
        if (inbound == null) {
            StoredMessage stored = store.find(id).orElse(null);
            if (stored == null || stored.status() != MessageStatus.RECEIVED || !"HL7v2".equals(stored.message().protocol())) {
                return null;
            }
            inbound = stored.message();
        }
        InboundMessage message = inbound;
        byte[] fhirJson;
        List<String> patientIdentifiers;
        try {
            if (parsed == null) {
                parsed = canonical.parse(message.payload());
            }
            Optional<CanonicalForm.Result> mapped = canonical.of(parsed, Long.toString(id));
            fhirJson = mapped.map(r -> r.json().getBytes(StandardCharsets.UTF_8)).orElse(null);
            patientIdentifiers = mapped.map(CanonicalForm.Result::patientIdentifiers).orElse(List.of());
        } catch (HL7Exception | RuntimeException e) {
            LOG.warn("HL7v2 message {} could not be mapped to FHIR: {}", id, e.getClass().getSimpleName());
            return new Completion(id, MessageStatus.ERROR, "FHIR mapping failed: " + e.getMessage(), null, null);
        }
        Exchange exchange = producer.send(endpoint, e -> {
            e.getMessage().setBody(message.payload());
            if (fhirJson != null) {
                e.getMessage().setHeader(Hl7Headers.FHIR_BUNDLE, new String(fhirJson, StandardCharsets.UTF_8));
            }
            e.getMessage().setHeader(Hl7Headers.MESSAGE_ID, id);
            e.getMessage().setHeader(Hl7Headers.MESSAGE_TYPE, message.messageType());
            e.getMessage().setHeader(Hl7Headers.CONTROL_ID, message.controlId());
        });
        Exception failure = exchange.getException();
        if (failure instanceof DirectConsumerNotAvailableException) {
            LOG.warn("No route consumes {}: HL7v2 message {} waits", endpoint, id);
            return WAIT;
        }
        MessageStatus outcome;
        String note;
        if (failure != null) {
            LOG.warn("HL7v2 message {} failed in its route: {}", id, failure.getClass().getSimpleName());
            outcome = MessageStatus.ERROR;
            note = "route failed: " + failure.getMessage();
        } else if (Boolean.TRUE.equals(exchange.getProperty(FILTERED_PROPERTY, Boolean.class))) {
            outcome = MessageStatus.FILTERED;
            note = "filtered by route";
        } else {
            outcome = MessageStatus.PROCESSED;
            note = "processed by " + endpoint;
        }
        String ackNote = applicationAcks.afterProcessing(message.listener(), parsed, outcome);
        return new Completion(id, outcome, ackNote == null ? note : note + "; " + ackNote, fhirJson, patientIdentifiers);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Deactivate
    void deactivate() throws Exception {
        running = false;
        router.interrupt();
        lanes.forEach(lane -> lane.thread.interrupt());
        router.join(TimeUnit.SECONDS.toMillis(10));
        for (Lane lane : lanes) {
            lane.thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        producer.close();
    }
}
