package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.store.Completion;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.fhir.FhirHeaders;
import io.carebus.api.store.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
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
 * Processing after the answer: one thread hands stored FHIR messages, oldest first, to the configured endpoint
 * (body: what was posted, as JSON; header {@code CareBusFhirBundle}: it as a Bundle), and records PROCESSED or
 * ERROR with the Bundle as the message's canonical form and its patients' identifiers indexed. At start it resumes
 * what a previous run stored but did not finish. While no route consumes the endpoint, messages wait (RECEIVED).
 * Delivery to the route is at least once; results the route queues carry stable identifiers, so a repeat is harmless.
 */
@Component(service = {FhirDispatcher.class, MessageProcessing.class}, immediate = true, configurationPid = "io.carebus.fhir")
public class FhirDispatcher implements MessageProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(FhirDispatcher.class);

    private final MessageStore store;
    private final ProducerTemplate producer;
    private final String endpoint;
    private final long retryMillis;
    private final FhirContext fhir = FhirContext.forR4Cached();
    private final BlockingDeque<Long> queue = new LinkedBlockingDeque<>();
    private final Thread worker;
    private volatile boolean running = true;

    @Activate
    public FhirDispatcher(FhirConfig config, @Reference MessageStore store, @Reference CamelContext camel) {
        this(store, camel, config.endpoint(), TimeUnit.SECONDS.toMillis(Math.max(1, config.retry_seconds())));
    }

    FhirDispatcher(MessageStore store, CamelContext camel, String endpoint, long retryMillis) {
        this.store = store;
        this.producer = camel.createProducerTemplate();
        this.endpoint = endpoint;
        this.retryMillis = retryMillis;
        queue.addAll(store.unfinished(FhirIntake.PROTOCOL));
        if (!queue.isEmpty()) {
            LOG.info("Resuming {} stored FHIR messages not processed before the last stop", queue.size());
        }
        worker = new Thread(this::run, "carebus-fhir-dispatcher");
        worker.setDaemon(true);
        worker.start();
    }

    void submit(long messageId) {
        queue.add(messageId);
    }

    @Override
    public String protocol() {
        return FhirIntake.PROTOCOL;
    }

    @Override
    public void reprocess(long messageId, String requestedBy) {
        StoredMessage message = store.find(messageId).orElseThrow(() -> new IllegalArgumentException("no message " + messageId));
        if (!FhirIntake.PROTOCOL.equals(message.message().protocol())) {
            throw new IllegalArgumentException("message " + messageId + " is not FHIR");
        }
        if (message.error() != null && message.error().contains(FhirIntake.TRUNCATED)) {
            throw new IllegalArgumentException("only the start of message " + messageId + " was kept; the sender must send it again");
        }
        store.updateStatus(messageId, MessageStatus.RECEIVED, "reprocessing requested by " + requestedBy);
        queue.add(messageId);
    }

    private void run() {
        while (running) {
            Long id = null;
            try {
                id = queue.poll(500, TimeUnit.MILLISECONDS);
                if (id == null) {
                    continue;
                }
                Completion done = dispatch(id);
                if (done == null) {
                    continue;
                }
                if (done.status() == MessageStatus.RECEIVED) {
                    queue.addFirst(id);
                    Thread.sleep(retryMillis);
                    continue;
                }
                store.complete(List.of(done));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                LOG.error("FHIR processing paused: {}", e.getMessage());
                sleepQuietly(retryMillis);
            }
        }
    }

    /** Routes one message; its outcome, RECEIVED when it must wait, or null when there is nothing to do. */
    private Completion dispatch(long id) {
        StoredMessage stored = store.find(id).orElse(null);
        if (stored == null || stored.status() != MessageStatus.RECEIVED || !FhirIntake.PROTOCOL.equals(stored.message().protocol())) {
            return null;
        }
        byte[] payload = stored.message().payload();
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
            return new Completion(id, MessageStatus.ERROR, "cannot parse the stored message: " + e.getMessage(), null, null);
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
            return new Completion(id, MessageStatus.RECEIVED, "wait", null, null);
        }
        if (failure != null) {
            LOG.warn("FHIR message {} failed in its route: {}", id, failure.getClass().getSimpleName());
            return new Completion(id, MessageStatus.ERROR, "route failed: " + failure.getMessage(), canonical, patients);
        }
        if (Boolean.TRUE.equals(exchange.getProperty("CareBusFiltered", Boolean.class))) {
            return new Completion(id, MessageStatus.FILTERED, "filtered by route", canonical, patients);
        }
        return new Completion(id, MessageStatus.PROCESSED, "processed by " + endpoint, canonical, patients);
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
