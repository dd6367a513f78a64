package io.carebus.dicom.internal;

import io.carebus.api.store.Completion;
import io.carebus.api.store.MessageStatus;
import io.carebus.dicom.DicomHeaders;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.ImagingStudies;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DICOM dispatcher's hook: instances routed one by one are gathered per study; once no instance of a study
 * arrived for the quiet time and none of it still waits to be routed, the whole study goes to the study endpoint, and
 * only then are its messages' outcomes due. Time is read from a {@link Clock}, so a test decides when a study is quiet.
 *
 * <p>Threads: {@link #stored} and {@link #queued} are called by intake and at start, everything else by the
 * dispatcher's first lane only.
 */
final class StudyAssembly {

    private static final Logger LOG = LoggerFactory.getLogger(StudyAssembly.class);

    private final ProducerTemplate producer;
    private final String studyEndpoint;
    private final long quietMillis;
    private final long retryMillis;
    private final Clock clock;
    private final Function<ImagingStudy, String> encode;
    private final Map<String, PendingStudy> studies = new LinkedHashMap<>();
    /** Per study: instances stored but not yet routed, and when its last instance was stored. */
    private final Map<String, AtomicInteger> waiting = new ConcurrentHashMap<>();
    private final Map<String, Long> lastStored = new ConcurrentHashMap<>();
    /** Instances queued without their study known (resumed after a restart, reprocessed). */
    private final AtomicInteger waitingUnknown = new AtomicInteger();

    private static final class PendingStudy {
        final List<ImagingStudies.Header> headers = new ArrayList<>();
        /** Each instance's own ImagingStudy (its canonical form), in the order of {@code headers}. */
        final List<byte[]> canonical = new ArrayList<>();
        long quietSince;
    }

    StudyAssembly(ProducerTemplate producer, String studyEndpoint, long quietMillis, long retryMillis, Clock clock,
                  Function<ImagingStudy, String> encode) {
        this.producer = producer;
        this.studyEndpoint = studyEndpoint;
        this.quietMillis = quietMillis;
        this.retryMillis = retryMillis;
        this.clock = clock;
        this.encode = encode;
    }

    /** An instance of the study was just stored: the study is not quiet. */
    void stored(String studyUid) {
        lastStored.put(studyUid, clock.millis());
    }

    /** An instance entered the queue; its study (null: unknown) cannot complete before it is routed. */
    void queued(String studyUid) {
        if (studyUid == null) {
            waitingUnknown.incrementAndGet();
        } else {
            waiting.computeIfAbsent(studyUid, s -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** An instance left the queue, routed or not. */
    void finished(String studyUid) {
        if (studyUid == null) {
            waitingUnknown.decrementAndGet();
        } else {
            AtomicInteger count = waiting.get(studyUid);
            if (count != null) {
                count.decrementAndGet();
            }
        }
    }

    /** An instance went through the per-instance route; it belongs to its study now. */
    void routed(ImagingStudies.Header header, byte[] canonical) {
        PendingStudy study = studies.computeIfAbsent(header.instance().studyInstanceUid(), uid -> new PendingStudy());
        study.headers.add(header);
        study.canonical.add(canonical);
        study.quietSince = clock.millis();
    }

    /** Routes every study that fell quiet; the outcomes of their messages. */
    List<Completion> due() {
        long now = clock.millis();
        List<Completion> completions = new ArrayList<>();
        for (Iterator<Map.Entry<String, PendingStudy>> it = studies.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, PendingStudy> entry = it.next();
            PendingStudy study = entry.getValue();
            AtomicInteger stillWaiting = waiting.get(entry.getKey());
            long quietSince = Math.max(study.quietSince, lastStored.getOrDefault(entry.getKey(), 0L));
            // Complete when nothing of it arrived lately and nothing of it still waits to be routed; while instances
            // of unknown studies (resumed after a restart) wait, none is complete, since they may belong to it.
            if (now - quietSince < quietMillis || (stillWaiting != null && stillWaiting.get() > 0) || waitingUnknown.get() > 0) {
                continue;
            }
            if (!route(entry.getKey(), study, completions)) {
                study.quietSince = now + retryMillis;
                continue;
            }
            it.remove();
            if (stillWaiting != null && stillWaiting.get() <= 0) {
                waiting.remove(entry.getKey(), stillWaiting);
                lastStored.remove(entry.getKey());
            }
        }
        return completions;
    }

    /** Sends the study to its route and adds its messages' outcomes; false when no route consumes the endpoint yet. */
    private boolean route(String studyUid, PendingStudy study, List<Completion> completions) {
        List<Long> ids = study.headers.stream().map(h -> h.instance().messageId()).toList();
        String json = encode.apply(ImagingStudies.of(study.headers));
        DicomInstance first = study.headers.get(0).instance();
        Exchange exchange = producer.send(studyEndpoint, e -> {
            e.getMessage().setBody(json);
            e.getMessage().setHeader(DicomHeaders.MESSAGE_ID, ids.get(0));
            e.getMessage().setHeader(DicomHeaders.MESSAGE_IDS, ids);
            e.getMessage().setHeader(DicomHeaders.STUDY_UID, studyUid);
            e.getMessage().setHeader(DicomHeaders.MODALITY, first.modality());
            e.getMessage().setHeader(DicomHeaders.CALLING_AE, first.callingAe());
        });
        Exception failure = exchange.getException();
        if (failure instanceof DirectConsumerNotAvailableException) {
            LOG.warn("No route consumes {}: a study of {} instances waits", studyEndpoint, ids.size());
            return false;
        }
        MessageStatus status = failure == null ? MessageStatus.PROCESSED : MessageStatus.ERROR;
        String note = failure == null ? "study of " + ids.size() + " instances processed by " + studyEndpoint
                : "study route failed: " + failure.getMessage();
        if (failure != null) {
            LOG.warn("DICOM study of {} instances failed in its route: {}", ids.size(), failure.getClass().getSimpleName());
        }
        // Each message keeps its own instance's ImagingStudy, not the whole study's: the study's JSON grows with
        // its instances, and a copy in each of a 2,000-slice CT's messages would be quadratic in the study size.
        for (int i = 0; i < ids.size(); i++) {
            completions.add(new Completion(ids.get(i), status, note, study.canonical.get(i),
                    List.of(ImagingStudies.patientIdentifier(study.headers.get(i)))));
        }
        return true;
    }
}
