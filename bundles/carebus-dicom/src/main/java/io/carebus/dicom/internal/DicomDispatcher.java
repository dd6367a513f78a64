package io.carebus.dicom.internal;

import io.carebus.api.route.StepUnavailableException;
import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.store.Completion;
import io.carebus.api.store.InboundMessage;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.dicom.DicomHeaders;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.ImagingStudies;
import io.carebus.store.dispatch.Item;
import io.carebus.store.dispatch.MessageHandler;
import io.carebus.store.dispatch.Outcome;
import io.carebus.store.dispatch.StoredMessageDispatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processing after Success, in two steps. Each stored instance goes to the per-instance endpoint (body: its
 * ImagingStudy as FHIR JSON, one series, one instance; headers: UIDs, modality, file). Its study is then assembled
 * ({@link StudyAssembly}, the dispatcher's hook); once no instance of it arrived for {@code study.quiet.seconds}, the
 * whole study goes to the study endpoint (body: the ImagingStudy of all its instances), and only then are its messages
 * PROCESSED, each with its own instance's ImagingStudy as its canonical form. So a crash at any point leaves the
 * study's messages RECEIVED, and the restart runs them again (at least once, as for HL7v2 and FHIR). While no route
 * consumes an endpoint, its instances or studies wait. The queue, resume, batched outcomes, store outages and reprocess
 * are the {@link StoredMessageDispatcher}'s (one lane: arrival order).
 */
@Component(service = {DicomDispatcher.class, MessageProcessing.class}, immediate = true, configurationPid = "io.carebus.dicom")
public class DicomDispatcher implements MessageProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(DicomDispatcher.class);

    private final ProducerTemplate producer;
    private final String endpoint;
    private final Path root;
    private final FhirContext fhir = FhirContext.forR4Cached();
    private final StudyAssembly assembly;
    private final StoredMessageDispatcher<Void> dispatcher;

    @Activate
    public DicomDispatcher(DicomConfig config, @Reference MessageStore store, @Reference CamelContext camel) {
        this(store, camel, config.endpoint(), config.study_endpoint(), TimeUnit.SECONDS.toMillis(Math.max(0, config.study_quiet_seconds())),
                TimeUnit.SECONDS.toMillis(Math.max(1, config.retry_seconds())), DicomStorage.root(config.storage_dir()), Clock.systemUTC());
    }

    DicomDispatcher(MessageStore store, CamelContext camel, String endpoint, String studyEndpoint, long quietMillis, long retryMillis,
                    Path root, Clock clock) {
        this.producer = camel.createProducerTemplate();
        this.endpoint = endpoint;
        this.root = root;
        this.assembly = new StudyAssembly(producer, studyEndpoint, quietMillis, retryMillis, clock, this::encode);
        this.dispatcher = StoredMessageDispatcher.builder(InstanceStore.PROTOCOL, store, new Handler())
                .retry(Duration.ofMillis(retryMillis))
                .poll(Duration.ofMillis(200))
                .build()
                .start();
    }

    /** A stored instance of {@code studyUid}: it is routed, and its study waits for it before it can be complete. */
    void submit(long messageId, String studyUid) {
        assembly.stored(studyUid);
        dispatcher.submit(Item.of(messageId, studyUid));
    }

    @Override
    public String protocol() {
        return InstanceStore.PROTOCOL;
    }

    @Override
    public void reprocess(long messageId, String requestedBy) {
        dispatcher.reprocess(messageId, requestedBy);
    }

    /** DICOM's part: the instance's route and headers; the study's assembly as the hook. */
    private final class Handler implements MessageHandler<Void> {

        @Override
        public Outcome handle(Item<Void> item) {
            // Without a study known it was not handed over right after its Success (a restart, a reprocess).
            return dispatchInstance(item.id(), item.message(), item.group() == null);
        }

        @Override
        public void queued(Item<Void> item) {
            assembly.queued(item.group());
        }

        @Override
        public void finished(Item<Void> item) {
            assembly.finished(item.group());
        }

        @Override
        public List<Completion> tick() {
            return assembly.due();
        }
    }

    /**
     * Routes one instance; {@link Outcome#WAIT} while no route consumes the endpoint, {@link Outcome#LATER} when its
     * study's route decides. {@code resumed}: not handed over right after its Success (a
     * restart, a reprocess request), so its file is checked against its recorded size and SHA-256 first: the gateway
     * forces file and rows at the same time, so after a power cut the rows of an instance that never got Success may
     * be on disk without its file.
     */
    private Outcome dispatchInstance(long id, InboundMessage stored, boolean resumed) {
        ImagingStudies.Header header;
        try {
            DicomInstance recorded = Descriptors.read(id, stored.payload(), root, stored.receivedAt());
            if (resumed) {
                String problem = fileProblem(recorded);
                if (problem != null) {
                    LOG.warn("DICOM message {} is not processed: {}", id, problem);
                    return Outcome.done(new Completion(id, MessageStatus.ERROR, problem
                            + " (a power cut before its Success, or damage since; a sender that got no Success sends it again)", null, null));
                }
            }
            header = ImagingStudies.header(recorded);
        } catch (IOException | RuntimeException e) {
            LOG.warn("DICOM message {} cannot be read back: {}", id, e.getMessage());
            return Outcome.done(new Completion(id, MessageStatus.ERROR, "cannot read the stored instance: " + e.getMessage(), null, null));
        }
        DicomInstance instance = header.instance();
        String json = encode(ImagingStudies.of(List.of(header)));
        Exchange exchange = producer.send(endpoint, e -> {
            e.getMessage().setBody(json);
            e.getMessage().setHeader(DicomHeaders.MESSAGE_ID, id);
            e.getMessage().setHeader(DicomHeaders.STUDY_UID, instance.studyInstanceUid());
            e.getMessage().setHeader(DicomHeaders.SERIES_UID, instance.seriesInstanceUid());
            e.getMessage().setHeader(DicomHeaders.SOP_INSTANCE_UID, instance.sopInstanceUid());
            e.getMessage().setHeader(DicomHeaders.SOP_CLASS_UID, instance.sopClassUid());
            e.getMessage().setHeader(DicomHeaders.MODALITY, instance.modality());
            e.getMessage().setHeader(DicomHeaders.FILE, instance.file());
            e.getMessage().setHeader(DicomHeaders.CALLING_AE, instance.callingAe());
            if (header.patient() != null) {
                e.getMessage().setHeader(DicomHeaders.SUBJECT_REFERENCE, header.patient().system() + "|" + header.patient().value());
            }
        });
        Exception failure = exchange.getException();
        if (failure instanceof DirectConsumerNotAvailableException) {
            LOG.warn("No route consumes {}: DICOM instance {} waits", endpoint, id);
            return Outcome.WAIT;
        }
        if (StepUnavailableException.in(failure)) {
            // a carebus: step's bundle is being updated: not the message's fault; it waits, in order, and runs again
            LOG.warn("A step of the route behind {} is not running: DICOM instance {} waits", endpoint, id);
            return Outcome.WAIT;
        }
        if (failure != null) {
            LOG.warn("DICOM instance {} failed in its route: {}", id, failure.getClass().getSimpleName());
            return Outcome.done(new Completion(id, MessageStatus.ERROR, "route failed: " + failure.getMessage(),
                    json.getBytes(StandardCharsets.UTF_8), List.of(ImagingStudies.patientIdentifier(header))));
        }
        assembly.routed(header, json.getBytes(StandardCharsets.UTF_8));
        return Outcome.LATER;
    }

    /** Why the instance's file is not the one received, or null when it is. */
    private static String fileProblem(DicomInstance recorded) throws IOException {
        if (!Files.isRegularFile(recorded.file())) {
            return "its instance file is missing";
        }
        long size = Files.size(recorded.file());
        if (size != recorded.size()) {
            return "its instance file has " + size + " bytes, not the " + recorded.size() + " received";
        }
        if (!InstanceStore.sha256Of(recorded.file()).equals(recorded.sha256())) {
            return "its instance file's SHA-256 differs from the one received";
        }
        return null;
    }

    private String encode(ImagingStudy study) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(FhirContext.class.getClassLoader());
        try {
            return fhir.newJsonParser().encodeResourceToString(study);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Deactivate
    void deactivate() throws Exception {
        dispatcher.close();
        producer.close();
    }
}
