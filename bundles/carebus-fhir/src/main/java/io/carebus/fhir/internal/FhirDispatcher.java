package io.carebus.fhir.internal;

import io.carebus.api.route.StepUnavailableException;
import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.store.Completion;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.fhir.FhirHeaders;
import io.carebus.store.dispatch.Item;
import io.carebus.store.dispatch.MessageHandler;
import io.carebus.store.dispatch.Outcome;
import io.carebus.store.dispatch.StoredMessageDispatcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processing after the answer: stored FHIR messages, oldest first, go to the configured endpoint (body: what was
 * posted, as JSON; header {@code CareBusFhirBundle}: it as a Bundle), and are recorded PROCESSED or ERROR with the
 * Bundle as the message's canonical form and its patients' identifiers indexed. The queue, resume at start, batched
 * outcomes, store outages and reprocess are the {@link StoredMessageDispatcher}'s (one lane: arrival order). While no
 * route consumes the endpoint, messages wait (RECEIVED). Delivery to the route is at least once; results the route
 * queues carry stable identifiers, so a repeat is harmless.
 */
@Component(service = {FhirDispatcher.class, MessageProcessing.class}, immediate = true, configurationPid = "io.carebus.fhir")
public class FhirDispatcher implements MessageProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(FhirDispatcher.class);

    private final ProducerTemplate producer;
    private final String endpoint;
    private final FhirContext fhir = FhirContext.forR4Cached();
    private final StoredMessageDispatcher<Void> dispatcher;

    @Activate
    public FhirDispatcher(FhirConfig config, @Reference MessageStore store, @Reference CamelContext camel) {
        this(store, camel, config.endpoint(), TimeUnit.SECONDS.toMillis(Math.max(1, config.retry_seconds())));
    }

    FhirDispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis) {
        this.producer = camel.createProducerTemplate();
        this.endpoint = endpoint;
        this.dispatcher = StoredMessageDispatcher.builder(FhirIntake.PROTOCOL, store, new Handler())
                .retry(Duration.ofMillis(retryMillis))
                .build()
                .start();
    }

    void submit(long messageId) {
        dispatcher.submit(messageId);
    }

    @Override
    public String protocol() {
        return FhirIntake.PROTOCOL;
    }

    @Override
    public void reprocess(long messageId, String requestedBy) {
        dispatcher.reprocess(messageId, requestedBy);
    }

    /** FHIR's part: reading the stored resource back as a Bundle, the route's headers. */
    private final class Handler implements MessageHandler<Void> {

        @Override
        public Outcome handle(Item<Void> item) {
            return dispatch(item.id(), item.message().payload());
        }

        @Override
        public void checkReprocess(StoredMessage message) {
            if (message.error() != null && message.error().contains(FhirIntake.TRUNCATED)) {
                throw new IllegalArgumentException("only the start of message " + message.id() + " was kept; the sender must send it again");
            }
        }
    }

    /** Routes one message; its outcome, or {@link Outcome#WAIT} while no route consumes the endpoint. */
    private Outcome dispatch(long id, byte[] payload) {
        String json;
        String bundleJson;
        String resourceType;
        Set<String> patients = new LinkedHashSet<>();
        try {
            String text = new String(payload, StandardCharsets.UTF_8);
            IBaseResource parsed = FhirValidation.withHapiLoader(() -> text.stripLeading().startsWith("<")
                    ? fhir.newXmlParser().parseResource(text) : fhir.newJsonParser().parseResource(text));
            resourceType = fhir.getResourceType(parsed);
            Bundle bundle;
            if (parsed instanceof Bundle b) {
                bundle = b;
            } else {
                bundle = new Bundle().setType(Bundle.BundleType.COLLECTION);
                bundle.addEntry().setResource((Resource) parsed);
            }
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                if (entry.getResource() instanceof Patient patient) {
                    for (Identifier identifier : patient.getIdentifier()) {
                        if (identifier.hasValue()) {
                            patients.add((identifier.hasSystem() ? identifier.getSystem() : "") + "|" + identifier.getValue());
                        }
                    }
                }
            }
            json = FhirValidation.withHapiLoader(() -> fhir.newJsonParser().encodeResourceToString(parsed));
            bundleJson = parsed instanceof Bundle ? json : FhirValidation.withHapiLoader(() -> fhir.newJsonParser().encodeResourceToString(bundle));
        } catch (RuntimeException e) {
            LOG.warn("FHIR message {} could not be read back: {}", id, e.getClass().getSimpleName());
            return Outcome.done(new Completion(id, MessageStatus.ERROR, "cannot parse the stored message: " + e.getMessage(), null, null));
        }
        String type = resourceType;
        Exchange exchange = producer.send(endpoint, e -> {
            e.getMessage().setBody(json);
            e.getMessage().setHeader(FhirHeaders.FHIR_BUNDLE, bundleJson);
            e.getMessage().setHeader(FhirHeaders.MESSAGE_ID, id);
            e.getMessage().setHeader(FhirHeaders.RESOURCE_TYPE, type);
            e.getMessage().setHeader(FhirHeaders.PAYLOAD_SHA256, io.carebus.api.Sha256.hash(payload).hex());
        });
        Exception failure = exchange.getException();
        byte[] canonical = bundleJson.getBytes(StandardCharsets.UTF_8);
        if (failure instanceof DirectConsumerNotAvailableException) {
            LOG.warn("No route consumes {}: FHIR message {} waits", endpoint, id);
            return Outcome.WAIT;
        }
        if (StepUnavailableException.in(failure)) {
            // a carebus: step's bundle is being updated: not the message's fault; it waits, in order, and runs again
            LOG.warn("A step of the route behind {} is not running: FHIR message {} waits", endpoint, id);
            return Outcome.WAIT;
        }
        if (failure != null) {
            LOG.warn("FHIR message {} failed in its route: {}", id, failure.getClass().getSimpleName());
            return Outcome.done(new Completion(id, MessageStatus.ERROR, "route failed: " + failure.getMessage(), canonical, patients));
        }
        if (Boolean.TRUE.equals(exchange.getProperty("CareBusFiltered", Boolean.class))) {
            return Outcome.done(new Completion(id, MessageStatus.FILTERED, "filtered by route", canonical, patients));
        }
        return Outcome.done(new Completion(id, MessageStatus.PROCESSED, "processed by " + endpoint, canonical, patients));
    }

    @Deactivate
    void deactivate() throws Exception {
        dispatcher.close();
        producer.close();
    }
}
