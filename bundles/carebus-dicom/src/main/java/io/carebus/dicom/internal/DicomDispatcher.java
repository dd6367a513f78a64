package io.carebus.dicom.internal;

import ca.uhn.fhir.context.FhirContext;
import io.carebus.api.store.Completion;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.dicom.DicomHeaders;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.ImagingStudies;
import io.carebus.api.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
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
 * ImagingStudy as FHIR JSON, one series, one instance; headers: UIDs, modality, file). Its study is then assembled;
 * once no instance of it arrived for {@code study.quiet.seconds}, the whole study goes to the study endpoint (body:
 * the ImagingStudy of all its instances), and only then are its messages PROCESSED, each with its own instance's
 * ImagingStudy as its canonical form. So a crash at any point leaves the study's messages RECEIVED, and the restart runs them again
 * (at least once, as for HL7v2 and FHIR). While no route consumes an endpoint, its instances or studies wait.
 */
@Component(service = {DicomDispatcher.class, MessageProcessing.class}, immediate = true, configurationPid = "io.carebus.dicom")
public class DicomDispatcher implements MessageProcessing {

    private static final Logger LOG = LoggerFactory.getLogger(DicomDispatcher.class);

    private final MessageStore store;
    private final ProducerTemplate producer;
    private final String endpoint;
    private final String studyEndpoint;
    private final long quietMillis;
    private final long retryMillis;
    private final Path root;
    private final FhirContext fhir = FhirContext.forR4Cached();
    /** An instance to route, and its study when known (not for instances resumed after a restart or reprocessed). */
    private record Work(long messageId, String studyUid) {
    }

    private final BlockingDeque<Work> queue = new LinkedBlockingDeque<>();
    private final Map<String, PendingStudy> studies = new LinkedHashMap<>();
    /** Per study: instances stored but not yet routed, and when its last instance was stored. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> waiting = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> lastStored = new java.util.concurrent.ConcurrentHashMap<>();
    /** Instances queued without their study known (resumed after a restart, reprocessed). */
    private final java.util.concurrent.atomic.AtomicInteger waitingUnknown = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread worker;
    private volatile boolean running = true;

    private static final class PendingStudy {
        final List<ImagingStudies.Header> headers = new ArrayList<>();
        /** Each instance's own ImagingStudy (its canonical form), in the order of {@code headers}. */
        final List<byte[]> canonical = new ArrayList<>();
        long quietSince;
    }

    @Activate
    public DicomDispatcher(DicomConfig config, @Reference MessageStore store, @Reference CamelContext camel) {
        this(store, camel, config.endpoint(), config.study_endpoint(), TimeUnit.SECONDS.toMillis(Math.max(0, config.study_quiet_seconds())),
                TimeUnit.SECONDS.toMillis(Math.max(1, config.retry_seconds())), DicomStorage.root(config.storage_dir()));
    }

    DicomDispatcher(MessageStore store, CamelContext camel, String endpoint, String studyEndpoint, long quietMillis, long retryMillis,
                    Path root) {
        this.store = store;
        this.producer = camel.createProducerTemplate();
        this.endpoint = endpoint;
        this.studyEndpoint = studyEndpoint;
        this.quietMillis = quietMillis;
        this.retryMillis = retryMillis;
        this.root = root;
        store.unfinished(InstanceStore.PROTOCOL).forEach(id -> queue.add(new Work(id, null)));
        waitingUnknown.addAndGet(queue.size());
        if (!queue.isEmpty()) {
            LOG.info("Resuming {} stored DICOM instances not processed before the last stop", queue.size());
        }
        worker = new Thread(this::run, "carebus-dicom-dispatcher");
        worker.setDaemon(true);
        worker.start();
    }

    /** A stored instance of {@code studyUid}: it is routed, and its study waits for it before it can be complete. */
    void submit(long messageId, String studyUid) {
        waiting.computeIfAbsent(studyUid, s -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        lastStored.put(studyUid, System.currentTimeMillis());
        queue.add(new Work(messageId, studyUid));
    }

    @Override
    public String protocol() {
        return InstanceStore.PROTOCOL;
    }

    @Override
    public void reprocess(long messageId, String requestedBy) {
        StoredMessage message = store.find(messageId).orElseThrow(() -> new IllegalArgumentException("no message " + messageId));
        if (!InstanceStore.PROTOCOL.equals(message.message().protocol())) {
            throw new IllegalArgumentException("message " + messageId + " is not DICOM");
        }
        store.updateStatus(messageId, MessageStatus.RECEIVED, "reprocessing requested by " + requestedBy);
        waitingUnknown.incrementAndGet();
        queue.add(new Work(messageId, null));
    }

    private void run() {
        while (running) {
            try {
                Work work = queue.poll(200, TimeUnit.MILLISECONDS);
                if (work != null) {
                    if (!dispatchInstance(work.messageId(), work.studyUid() == null)) {
                        queue.addFirst(work);
                        Thread.sleep(retryMillis);
                    } else if (work.studyUid() == null) {
                        waitingUnknown.decrementAndGet();
                    } else {
                        waiting.get(work.studyUid()).decrementAndGet();
                    }
                }
                completeQuietStudies();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (StoreUnavailableException e) {
                LOG.error("DICOM processing paused: {}", e.getMessage());
                sleepQuietly(retryMillis);
            }
        }
    }

    /**
     * False when the instance must wait (no route yet). {@code resumed}: not handed over right after its Success (a
     * restart, a reprocess request), so its file is checked against its recorded size and SHA-256 first: the gateway
     * forces file and rows at the same time, so after a power cut the rows of an instance that never got Success may
     * be on disk without its file.
     */
    private boolean dispatchInstance(long id, boolean resumed) {
        StoredMessage stored = store.find(id).orElse(null);
        if (stored == null || stored.status() != MessageStatus.RECEIVED || !InstanceStore.PROTOCOL.equals(stored.message().protocol())) {
            return true;
        }
        ImagingStudies.Header header;
        try {
            DicomInstance recorded = Descriptors.read(id, stored.message().payload(), root, stored.message().receivedAt());
            if (resumed) {
                String problem = fileProblem(recorded);
                if (problem != null) {
                    LOG.warn("DICOM message {} is not processed: {}", id, problem);
                    store.complete(List.of(new Completion(id, MessageStatus.ERROR, problem
                            + " (a power cut before its Success, or damage since; a sender that got no Success sends it again)", null, null)));
                    return true;
                }
            }
            header = ImagingStudies.header(recorded);
        } catch (IOException | RuntimeException e) {
            LOG.warn("DICOM message {} cannot be read back: {}", id, e.getMessage());
            store.complete(List.of(new Completion(id, MessageStatus.ERROR, "cannot read the stored instance: " + e.getMessage(), null, null)));
            return true;
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
            return false;
        }
        if (failure != null) {
            LOG.warn("DICOM instance {} failed in its route: {}", id, failure.getClass().getSimpleName());
            store.complete(List.of(new Completion(id, MessageStatus.ERROR, "route failed: " + failure.getMessage(),
                    json.getBytes(StandardCharsets.UTF_8), List.of(ImagingStudies.patientIdentifier(header)))));
            return true;
        }
        PendingStudy study = studies.computeIfAbsent(instance.studyInstanceUid(), uid -> new PendingStudy());
        study.headers.add(header);
        study.canonical.add(json.getBytes(StandardCharsets.UTF_8));
        study.quietSince = System.currentTimeMillis();
        return true;
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

    private void completeQuietStudies() {
        long now = System.currentTimeMillis();
        for (Iterator<Map.Entry<String, PendingStudy>> it = studies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, PendingStudy> entry = it.next();
            PendingStudy study = entry.getValue();
            java.util.concurrent.atomic.AtomicInteger stillWaiting = waiting.get(entry.getKey());
            long quietSince = Math.max(study.quietSince, lastStored.getOrDefault(entry.getKey(), 0L));
            // Complete when nothing of it arrived lately and nothing of it still waits to be routed; while instances
            // of unknown studies (resumed after a restart) wait, none is complete, since they may belong to it.
            if (now - quietSince < quietMillis || (stillWaiting != null && stillWaiting.get() > 0) || waitingUnknown.get() > 0) {
                continue;
            }
            List<Long> ids = study.headers.stream().map(h -> h.instance().messageId()).toList();
            String json = encode(ImagingStudies.of(study.headers));
            DicomInstance first = study.headers.get(0).instance();
            Exchange exchange = producer.send(studyEndpoint, e -> {
                e.getMessage().setBody(json);
                e.getMessage().setHeader(DicomHeaders.MESSAGE_ID, ids.get(0));
                e.getMessage().setHeader(DicomHeaders.MESSAGE_IDS, ids);
                e.getMessage().setHeader(DicomHeaders.STUDY_UID, entry.getKey());
                e.getMessage().setHeader(DicomHeaders.MODALITY, first.modality());
                e.getMessage().setHeader(DicomHeaders.CALLING_AE, first.callingAe());
            });
            Exception failure = exchange.getException();
            if (failure instanceof DirectConsumerNotAvailableException) {
                LOG.warn("No route consumes {}: a study of {} instances waits", studyEndpoint, ids.size());
                study.quietSince = now + retryMillis;
                continue;
            }
            MessageStatus status = failure == null ? MessageStatus.PROCESSED : MessageStatus.ERROR;
            String note = failure == null ? "study of " + ids.size() + " instances processed by " + studyEndpoint
                    : "study route failed: " + failure.getMessage();
            if (failure != null) {
                LOG.warn("DICOM study of {} instances failed in its route: {}", ids.size(), failure.getClass().getSimpleName());
            }
            // Each message keeps its own instance's ImagingStudy, not the whole study's: the study's JSON grows with
            // its instances, and a copy in each of a 2,000-slice CT's messages would be quadratic in the study size.
            List<Completion> completions = new ArrayList<>(ids.size());
            for (int i = 0; i < ids.size(); i++) {
                completions.add(new Completion(ids.get(i), status, note, study.canonical.get(i),
                        List.of(ImagingStudies.patientIdentifier(study.headers.get(i)))));
            }
            store.complete(completions);
            it.remove();
            if (stillWaiting != null && stillWaiting.get() <= 0) {
                waiting.remove(entry.getKey(), stillWaiting);
                lastStored.remove(entry.getKey());
            }
        }
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
