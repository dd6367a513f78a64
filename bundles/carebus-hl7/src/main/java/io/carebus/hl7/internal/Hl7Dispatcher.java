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
import io.carebus.store.StoreUnavailableException;
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
 * Processing after the ACK: one thread maps stored HL7v2 messages, oldest first (so in order per sender), to their
 * canonical FHIR form (kept in the store, and handed to the route as a header), hands them to the configured endpoint,
 * and records PROCESSED or ERROR: the outcomes of up to {@value #MAX_BATCH} messages in one store transaction, written
 * as soon as the queue runs dry, so a busy engine commits less often and an idle one records each at once. At start it first resumes every message a previous run stored
 * but did not finish (a crash, a kill -9). While no route consumes the endpoint, messages wait (RECEIVED) rather than
 * fail. Delivery to the route is at least once: a crash after the route finished but before the batch with its status
 * was written runs that message (and the rest of its batch) again on restart.
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
    private final List<Completion> completed = new java.util.ArrayList<>();
    private final Thread worker;
    private volatile boolean running = true;

    @Activate
    public Hl7Dispatcher(DispatcherConfig config, @Reference MessageStore store, @Reference CamelContext camel) {
        this(store, camel, config.endpoint(), TimeUnit.SECONDS.toMillis(config.retry_seconds()));
    }

    Hl7Dispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis) {
        this(store, camel, endpoint, retryMillis, new CanonicalForm(FhirContext.forR4(), ZoneId.systemDefault()));
    }

    Hl7Dispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis, CanonicalForm canonical) {
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
        worker = new Thread(this::run, "carebus-hl7-dispatcher");
        worker.setDaemon(true);
        // An Error ends the thread (it is not caught in the loop); at least it is said, not lost on stderr.
        worker.setUncaughtExceptionHandler((t, e) -> LOG.error("HL7v2 processing stopped: {}", e.toString()));
        worker.start();
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
                    flush();
                    queue.addFirst(next);
                    Thread.sleep(retryMillis);
                    continue;
                }
                if (done != null) {
                    completed.add(done);
                }
                if (completed.size() >= MAX_BATCH || queue.isEmpty()) {
                    flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                LOG.error("HL7v2 processing paused: {}", e.getMessage());
                // Only a message whose route has not run yet goes back to the queue; outcomes already gathered wait
                // in the batch for the next flush, so a store outage never runs a route twice.
                if (next != null && !routed) {
                    queue.addFirst(next);
                }
                sleepQuietly(retryMillis);
            } catch (RuntimeException e) {
                // Anything else must not end the only processing thread. The message stays RECEIVED in the store, so
                // it is taken up again at the next start or by a reprocess; it is not queued again here, so a message
                // that always fails cannot stall the queue. Errors (OutOfMemoryError) are not caught: the JVM exits
                // (-XX:+ExitOnOutOfMemoryError) and its service manager restarts it.
                LOG.error("HL7v2 processing of message {} failed, it stays RECEIVED: {}", next == null ? "-" : next.id(),
                        e.getClass().getName());
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
        worker.interrupt();
        worker.join(TimeUnit.SECONDS.toMillis(10));
        producer.close();
    }
}
