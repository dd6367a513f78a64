package io.carebus.hl7.internal;

import io.carebus.api.route.StepUnavailableException;
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
import io.carebus.store.dispatch.Item;
import io.carebus.store.dispatch.MessageHandler;
import io.carebus.store.dispatch.Outcome;
import io.carebus.store.dispatch.StoredMessageDispatcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
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
 * <p>The queue, resume at start, batched outcomes, store outages and reprocess are the {@link StoredMessageDispatcher}'s.
 * What is HL7's: the lanes are per patient ({@link PatientLaneKey}: the first PID-3 ID and authority), so a patient's
 * messages run one after another, in the order they arrived, while other patients' run beside them; messages without
 * a patient keep their arrival order on the first lane; a message with an MRG segment (a merge or move touches two
 * patients) waits until every lane is idle and runs alone. With {@code workers = 1} every message runs in arrival
 * order. While no route consumes the endpoint, messages wait (RECEIVED) rather than fail.
 */
@Component(service = {Hl7Dispatcher.class, MessageProcessing.class}, immediate = true, configurationPid = "io.carebus.hl7.processing")
@Designate(ocd = DispatcherConfig.class)
public class Hl7Dispatcher implements MessageProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(Hl7Dispatcher.class);
    static final String FILTERED_PROPERTY = "CareBusFiltered";

    private final ProducerTemplate producer;
    private final String endpoint;
    private final CanonicalForm canonical;
    private final ApplicationAcks applicationAcks;
    private final StoredMessageDispatcher<Message> dispatcher;

    /** A message to process: its id, and when it comes straight from intake the message and its parse. */
    record Pending(long id, InboundMessage message, Message parsed) {
    }

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
        this.producer = camel.createProducerTemplate();
        this.canonical = canonical;
        this.applicationAcks = new ApplicationAcks(producer);
        this.endpoint = endpoint;
        this.dispatcher = StoredMessageDispatcher.builder("HL7v2", store, new Handler())
                .retry(Duration.ofMillis(retryMillis))
                .lanes(workers, message -> PatientLaneKey.of(message.payload()))
                .threadName("carebus-hl7-dispatcher")
                .build()
                .start();
    }

    /** {@code workers = 0} (the default) is one lane per processor, at least two. */
    static int workers(int configured) {
        return configured > 0 ? configured : Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Where a listener's senders take their application ACKs (a Camel endpoint URI; blank = none). */
    void applicationAckEndpoint(String listener, String endpointUri) {
        applicationAcks.register(listener, endpointUri);
    }

    /** What mapping found in the listener's messages since start (its health details). */
    CanonicalForm.WarningCounts mappingWarnings(String listener) {
        return canonical.warningCounts(listener);
    }

    void forgetListener(String listener) {
        applicationAcks.unregister(listener);
    }

    /** Queues a freshly stored message. */
    void submit(long messageId) {
        dispatcher.submit(messageId);
    }

    void submit(Pending pending) {
        dispatcher.submit(new Item<>(pending.id(), null, pending.message(), pending.parsed()));
    }

    /** How often a message waited because no route consumed the endpoint. */
    long waits() {
        return dispatcher.waits();
    }

    @Override
    public String protocol() {
        return "HL7v2";
    }

    @Override
    public void reprocess(long messageId, String requestedBy) {
        dispatcher.reprocess(messageId, requestedBy);
    }

    /** HL7's part: the mapping, the route's headers, the application ACK. */
    private final class Handler implements MessageHandler<Message> {

        @Override
        public Outcome handle(Item<Message> item) {
            return dispatch(item.id(), item.message(), item.parsed());
        }

        @Override
        public void checkReprocess(StoredMessage message) {
            if (message.error() != null && message.error().contains(Hl7Intake.TRUNCATED)) {
                throw new IllegalArgumentException("only the start of message " + message.id() + " was kept; the sender must send it again");
            }
        }
    }

    /** Maps and routes one message; its outcome, or {@link Outcome#WAIT} while no route consumes the endpoint. */
    private Outcome dispatch(long id, InboundMessage message, Message parsed) {
        byte[] fhirJson;
        List<String> patientIdentifiers;
        List<io.carebus.api.store.MessageWarning> mappingWarnings;
        try {
            if (parsed == null) {
                parsed = canonical.parse(message.payload());
            }
            Optional<CanonicalForm.Result> mapped = canonical.of(parsed, Long.toString(id), message.listener());
            fhirJson = mapped.map(r -> r.json().getBytes(StandardCharsets.UTF_8)).orElse(null);
            patientIdentifiers = mapped.map(CanonicalForm.Result::patientIdentifiers).orElse(List.of());
            mappingWarnings = mapped.map(CanonicalForm.Result::warnings).orElse(List.of());
        } catch (HL7Exception | RuntimeException e) {
            LOG.warn("HL7v2 message {} could not be mapped to FHIR: {}", id, e.getClass().getSimpleName());
            return Outcome.done(new Completion(id, MessageStatus.ERROR, "FHIR mapping failed: " + e.getMessage(), null, null));
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
            return Outcome.WAIT;
        }
        if (StepUnavailableException.in(failure)) {
            // a carebus: step's bundle is being updated: not the message's fault; it waits, in order, and runs again
            LOG.warn("A step of the route behind {} is not running: HL7v2 message {} waits", endpoint, id);
            return Outcome.WAIT;
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
        return Outcome.done(new Completion(id, outcome, ackNote == null ? note : note + "; " + ackNote, fhirJson, patientIdentifiers,
                mappingWarnings));
    }

    @Deactivate
    void deactivate() throws Exception {
        dispatcher.close();
        producer.close();
    }
}
