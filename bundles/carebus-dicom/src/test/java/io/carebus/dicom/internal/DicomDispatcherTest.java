package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.MessageStatus;
import io.carebus.dicom.DicomHeaders;
import io.carebus.dicom.testing.Dcmtk;
import io.carebus.dicom.testing.SettableClock;
import io.carebus.dicom.testing.TestImages;
import io.carebus.fhir.testing.Configs;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import io.carebus.store.testing.MessageStatusWait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Study assembly with real routes: two studies sent at once on two associations reach the per-instance route
 * instance by instance, and the study route once each, with all their instances, after the quiet time; only then are
 * their messages PROCESSED, each with its own instance's ImagingStudy as canonical form. A restart resumes what was not finished.
 */
class DicomDispatcherTest {

    @TempDir
    Path dir;

    @Test
    void eachStudyIsRoutedOnceCompleteAndItsMessagesAreProcessedAfterIt() throws Exception {
        List<String> instances = new CopyOnWriteArrayList<>();
        List<List<?>> studies = new CopyOnWriteArrayList<>();
        List<String> subjects = new CopyOnWriteArrayList<>();
        try (CloseableMessageStore store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
             DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:instance").process(x -> {
                        instances.add(x.getMessage().getHeader(DicomHeaders.STUDY_UID, String.class));
                        subjects.add(String.valueOf(x.getMessage().getHeader(DicomHeaders.SUBJECT_REFERENCE)));
                    });
                    from("direct:study").process(x -> studies.add(x.getMessage().getHeader(DicomHeaders.MESSAGE_IDS, List.class)));
                }
            });
            camel.start();
            // The quiet time that decides a study is complete passes when the test moves the clock, not while it waits.
            SettableClock clock = new SettableClock(java.time.Instant.parse("2026-12-05T10:00:00Z"));
            DicomDispatcher dispatcher = new DicomDispatcher(store, camel, "direct:instance", "direct:study", 1000, 200,
                    dir.resolve("dicom"), clock);
            DicomGateway gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(Map.of("port", 0, "bind_address", "127.0.0.1",
                    "storage_dir", dir.resolve("dicom").toString(), "min_free_mb", 1L))), store, store.database(), dispatcher::submit);
            try {
                List<Process> senders = new ArrayList<>();
                for (int s = 0; s < 2; s++) {
                    List<String> command = new ArrayList<>(List.of("storescu", "-aec", "CAREBUS", "127.0.0.1", String.valueOf(gateway.port())));
                    TestImages.ctSeries(Files.createDirectories(dir.resolve("s" + s)), 6, 32).forEach(f -> command.add(f.toString()));
                    senders.add(Dcmtk.start(command));
                }
                for (Process p : senders) {
                    assertThat(p.waitFor()).isZero();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (instances.size() < 12 && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                }
                assertThat(instances).hasSize(12);
                assertThat(studies).as("no study is complete before its quiet time passed").isEmpty();
                assertThat(store.unfinished("DICOM")).as("their messages wait for their study").hasSize(12);
                clock.advance(Duration.ofMillis(1000));
                while (studies.size() < 2 && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                }
                // The patient (Patient ID, issuer unknown) names the results' subject: carebus:fhir-results takes it.
                assertThat(subjects).hasSize(12).allSatisfy(subject -> assertThat(subject).isEqualTo(io.carebus.dicom.ImagingStudies.PATIENT_ID_SYSTEM + "|PAT-0001"));
                assertThat(studies).hasSize(2);
                assertThat(studies).allSatisfy(ids -> assertThat(ids).hasSize(6));
                for (List<?> ids : studies) {
                    for (Object id : ids) {
                        long messageId = ((Number) id).longValue();
                        // Recorded in the dispatcher's batch right after the study route ran: wait for that write.
                        MessageStatusWait.await(store, messageId, MessageStatus.PROCESSED);
                        io.carebus.api.store.StoredMessage message = store.find(messageId).orElseThrow();
                        // Its own instance's ImagingStudy, not a copy of the whole study's in each message.
                        assertThat(new String(store.canonical(messageId).orElseThrow())).contains("\"resourceType\":\"ImagingStudy\"")
                                .contains("\"numberOfInstances\":1").contains("\"uid\":\"" + message.message().controlId() + "\"");
                    }
                }
            } finally {
                gateway.deactivate();
                dispatcher.deactivate();
            }
        }
    }

    /**
     * The gateway forces an instance's file and its rows at the same time, so after a power cut the rows of an instance
     * that never got Success may be on disk without the file. A resumed instance is routed only when its file is the
     * one received; otherwise its message is ERROR, which no resend counts as a duplicate of.
     */
    @Test
    void aResumedInstanceWhoseFileIsNotTheOneReceivedIsNotRouted() throws Exception {
        List<String> routed = new CopyOnWriteArrayList<>();
        List<Long> stored = new CopyOnWriteArrayList<>();
        try (CloseableMessageStore store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
             DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:instance").process(x -> routed.add(x.getMessage().getHeader(DicomHeaders.SOP_INSTANCE_UID, String.class)));
                    from("direct:study").log("study");
                }
            });
            camel.start();
            DicomGateway gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(Map.of("port", 0, "bind_address", "127.0.0.1",
                    "storage_dir", dir.resolve("dicom").toString(), "min_free_mb", 1L))), store, store.database(), (id, study) -> stored.add(id));
            try {
                List<String> command = new ArrayList<>(List.of("storescu", "-aec", "CAREBUS", "127.0.0.1", String.valueOf(gateway.port())));
                TestImages.ctSeries(Files.createDirectories(dir.resolve("s")), 3, 32).forEach(f -> command.add(f.toString()));
                assertThat(Dcmtk.start(command).waitFor()).isZero();
            } finally {
                gateway.deactivate();
            }
            assertThat(stored).hasSize(3);
            List<io.carebus.dicom.DicomInstance> kept = new ArrayList<>();
            for (long id : stored) {
                io.carebus.api.store.StoredMessage m = store.find(id).orElseThrow();
                kept.add(Descriptors.read(id, m.message().payload(), dir.resolve("dicom"), m.message().receivedAt()));
            }
            // the second one's last byte (in the pixel data: its header still reads) changed, the third one's file gone
            Path damaged = kept.get(1).file();
            byte[] bytes = Files.readAllBytes(damaged);
            bytes[bytes.length - 1] ^= 0x5A;
            Files.write(damaged, bytes);
            Files.delete(kept.get(2).file());

            DicomDispatcher dispatcher = new DicomDispatcher(store, camel, "direct:instance", "direct:study", 60_000, 200,
                    dir.resolve("dicom"), java.time.Clock.systemUTC());
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while ((routed.isEmpty() || store.find(stored.get(2)).orElseThrow().status() != MessageStatus.ERROR)
                        && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                }
                assertThat(routed).containsExactly(kept.get(0).sopInstanceUid());
                assertThat(store.find(stored.get(1)).orElseThrow().status()).isEqualTo(MessageStatus.ERROR);
                assertThat(store.find(stored.get(1)).orElseThrow().error()).contains("SHA-256 differs");
                assertThat(store.find(stored.get(2)).orElseThrow().status()).isEqualTo(MessageStatus.ERROR);
                assertThat(store.find(stored.get(2)).orElseThrow().error()).contains("missing");
            } finally {
                dispatcher.deactivate();
            }
        }
    }

    /**
     * Issue 24: "on a store outage DICOM drops the item in hand (the exception escapes past the re-queue). That leaves
     * the study's waiting counters above zero, so the study never completes until a restart." An outage while claiming
     * an instance keeps it queued: once the store is back it is routed, and its study completes.
     */
    @Test
    void anOutageWhileClaimingAnInstanceKeepsItAndItsStudyStillCompletes() throws Exception {
        List<String> routed = new CopyOnWriteArrayList<>();
        List<List<?>> studies = new CopyOnWriteArrayList<>();
        try (CloseableMessageStore store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
             DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:instance").process(x -> routed.add(x.getMessage().getHeader(DicomHeaders.SOP_INSTANCE_UID, String.class)));
                    from("direct:study").process(x -> studies.add(x.getMessage().getHeader(DicomHeaders.MESSAGE_IDS, List.class)));
                }
            });
            camel.start();
            io.carebus.store.testing.StoreOutage outage = new io.carebus.store.testing.StoreOutage(store).failFinds(1);
            DicomDispatcher dispatcher = new DicomDispatcher(outage, camel, "direct:instance", "direct:study", 0, 50,
                    dir.resolve("dicom"), java.time.Clock.systemUTC());
            DicomGateway gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(Map.of("port", 0, "bind_address", "127.0.0.1",
                    "storage_dir", dir.resolve("dicom").toString(), "min_free_mb", 1L))), store, store.database(), dispatcher::submit);
            try {
                List<String> command = new ArrayList<>(List.of("storescu", "-aec", "CAREBUS", "127.0.0.1", String.valueOf(gateway.port())));
                TestImages.ctSeries(Files.createDirectories(dir.resolve("s")), 3, 32).forEach(f -> command.add(f.toString()));
                assertThat(Dcmtk.start(command).waitFor()).isZero();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (studies.isEmpty() && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                }
                assertThat(outage.failed()).isEqualTo(1);
                assertThat(routed).hasSize(3);
                assertThat(studies).as("the study completes without a restart").singleElement()
                        .satisfies(ids -> assertThat(ids).hasSize(3));
                for (Object id : studies.get(0)) {
                    MessageStatusWait.await(store, ((Number) id).longValue(), MessageStatus.PROCESSED);
                }
            } finally {
                gateway.deactivate();
                dispatcher.deactivate();
            }
        }
    }
}
