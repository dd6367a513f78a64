package io.carebus.hl7.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.model.Message;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.hl7.Hl7Headers;
import io.carebus.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
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
 * and records PROCESSED or ERROR. At start it first resumes every message a previous run stored
 * but did not finish (a crash, a kill -9). While no route consumes the endpoint, messages wait (RECEIVED) rather than
 * fail. Delivery to the route is at least once: a crash after the route finished but before the status was written
 * runs that message again on restart.
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
    private final BlockingDeque<Long> queue = new LinkedBlockingDeque<>();
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
        for (long id : store.unfinished()) {
            queue.add(id);
        }
        if (!queue.isEmpty()) {
            LOG.info("Resuming {} stored HL7v2 messages not processed before the last stop", queue.size());
        }
        worker = new Thread(this::run, "carebus-hl7-dispatcher");
        worker.setDaemon(true);
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
        queue.add(messageId);
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
        store.updateStatus(messageId, MessageStatus.RECEIVED, "reprocessing requested by " + requestedBy);
        queue.add(messageId);
    }

    private void run() {
        while (running) {
            Long id = null;
            try {
                id = queue.poll(500, TimeUnit.MILLISECONDS);
                if (id != null && !dispatch(id)) {
                    queue.addFirst(id);
                    Thread.sleep(retryMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                LOG.error("HL7v2 processing paused: {}", e.getMessage());
                if (id != null) {
                    queue.addFirst(id);
                }
                sleepQuietly(retryMillis);
            }
        }
    }

    /** Returns false when the message must wait (no route consumes the endpoint yet). */
    private boolean dispatch(long id) {
        StoredMessage message = store.find(id).orElse(null);
        if (message == null || message.status() != MessageStatus.RECEIVED) {
            return true;
        }
        String fhirJson;
        Message parsed;
        try {
            parsed = canonical.parse(message.message().payload());
            Optional<CanonicalForm.Result> mapped = canonical.of(parsed, Long.toString(id));
            fhirJson = mapped.map(CanonicalForm.Result::json).orElse(null);
            if (mapped.isPresent()) {
                store.attachCanonical(id, fhirJson.getBytes(StandardCharsets.UTF_8), mapped.get().patientIdentifiers());
            }
        } catch (HL7Exception | RuntimeException e) {
            if (e instanceof StoreUnavailableException unavailable) {
                throw unavailable;
            }
            LOG.warn("HL7v2 message {} could not be mapped to FHIR: {}", id, e.getClass().getSimpleName());
            store.updateStatus(id, MessageStatus.ERROR, "FHIR mapping failed: " + e.getMessage());
            return true;
        }
        Exchange exchange = producer.send(endpoint, e -> {
            e.getMessage().setBody(message.message().payload());
            if (fhirJson != null) {
                e.getMessage().setHeader(Hl7Headers.FHIR_BUNDLE, fhirJson);
            }
            e.getMessage().setHeader(Hl7Headers.MESSAGE_ID, id);
            e.getMessage().setHeader(Hl7Headers.MESSAGE_TYPE, message.message().messageType());
            e.getMessage().setHeader(Hl7Headers.CONTROL_ID, message.message().controlId());
        });
        Exception failure = exchange.getException();
        if (failure instanceof DirectConsumerNotAvailableException) {
            LOG.warn("No route consumes {}: HL7v2 message {} waits", endpoint, id);
            return false;
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
        String ackNote = applicationAcks.afterProcessing(message.message().listener(), parsed, outcome);
        store.updateStatus(id, outcome, ackNote == null ? note : note + "; " + ackNote);
        return true;
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
