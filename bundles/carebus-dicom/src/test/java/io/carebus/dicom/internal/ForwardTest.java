package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.dicom.DicomForwarding;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.testing.Dcmtk;
import io.carebus.dicom.testing.Orthanc;
import io.carebus.dicom.testing.TestImages;
import io.carebus.fhir.testing.Configs;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forwarding through the durable queue to dcmtk's storescp and to Orthanc, across outages and refusals. */
class ForwardTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DicomGateway gateway;
    private final List<Long> received = new CopyOnWriteArrayList<>();
    private final List<DicomDestination> destinations = new ArrayList<>();
    private final List<Process> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(Map.of("port", 0, "bind_address", "127.0.0.1", "storage_dir",
                dir.resolve("dicom").toString(), "min_free_mb", 1L))),
                store, store.database(), (id, study) -> received.add(id));
    }

    @AfterEach
    void stop() throws Exception {
        for (DicomDestination d : destinations) {
            d.deactivate();
        }
        for (Process p : peers) {
            p.destroyForcibly().waitFor();
        }
        gateway.deactivate();
        store.close();
    }

    private List<DicomInstance> receive(int count) throws Exception {
        List<Path> files = TestImages.ctSeries(Files.createDirectories(dir.resolve("source")), count, 64);
        List<String> command = new ArrayList<>(List.of("storescu", "-aet", "MODALITY", "-aec", "CAREBUS", "127.0.0.1",
                String.valueOf(gateway.port())));
        files.forEach(f -> command.add(f.toString()));
        assertThat(Dcmtk.run(command).exitCode()).isZero();
        return received.stream().map(id -> gateway.instance(id).orElseThrow()).toList();
    }

    private DicomDestination destination(String name, String ae, int port, int maxAttempts) {
        return destination(name, ae, port, maxAttempts, false);
    }

    private DicomDestination destination(String name, String ae, int port, int maxAttempts, boolean deidentify) {
        DicomDestination d = new DicomDestination(new DicomDestination.Settings(name, ae, "127.0.0.1", port, "CAREBUS", 50, maxAttempts,
                200, 1000, 3000, SocketFactory.getDefault(), deidentify), gateway.forwardQueue(), gateway::instance);
        destinations.add(d);
        return d;
    }

    private Process storescp(int port, Path out) throws Exception {
        Process p = Dcmtk.start(List.of("storescp", "-aet", "ARCHIVE", "-od", out.toString(), String.valueOf(port)));
        peers.add(p);
        await(() -> destinationAnswers(port), "storescp listening");
        return p;
    }

    private static boolean destinationAnswers(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static long filesIn(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void queuedInstancesReachStorescpAfterAnOutageOnceEach() throws Exception {
        List<DicomInstance> instances = receive(10);
        int port = Orthanc.freePort();
        DicomDestination archive = destination("archive", "ARCHIVE", port, 20);
        // queued while the destination is down: they wait, nothing is lost
        for (DicomInstance i : instances) {
            assertThat(gateway.forwardQueue().add("archive", i.messageId())).isTrue();
        }
        assertThat(gateway.forwardQueue().add("archive", instances.get(0).messageId())).as("queued once").isFalse();
        archive.wake();
        await(() -> gateway.forwardQueue().lastError("archive", instances.get(0).messageId()) != null, "a failed attempt");
        assertThat(gateway.forwardQueue().counts("archive")).containsEntry("PENDING", 10);
        assertThat(gateway.forwardQueue().lastError("archive", instances.get(0).messageId())).contains("association failed");
        assertThat(archive.echo().ok()).isFalse();

        Path out = Files.createDirectories(dir.resolve("archive"));
        storescp(port, out);
        assertThat(archive.echo().ok()).isTrue();
        await(() -> gateway.forwardQueue().counts("archive").get("SENT") == 10, "10 sent");
        assertThat(filesIn(out)).isEqualTo(10);
        assertThat(gateway.forwardQueue().counts("archive")).containsEntry("PENDING", 0).containsEntry("DEAD", 0);
    }

    /**
     * A research destination gets de-identified copies only. The de-identification service is carebus-deid's in the
     * appliance (tested there with the real pseudonym domain); here an HMAC pseudonymizer stands behind the same
     * DicomDeidentifier, to show what leaves for such a destination.
     */
    @Test
    void aDeidentifyingDestinationGetsCopiesWithoutThePatient() throws Exception {
        List<DicomInstance> instances = receive(3);
        int port = Orthanc.freePort();
        Path out = Files.createDirectories(dir.resolve("research"));
        DicomDestination research = destination("research", "ARCHIVE", port, 5, true);
        instances.forEach(i -> gateway.forwardQueue().add("research", i.messageId()));
        research.wake();
        await(() -> gateway.forwardQueue().lastError("research", instances.get(0).messageId()) != null, "a deferred attempt");
        assertThat(gateway.forwardQueue().lastError("research", instances.get(0).messageId())).contains("de-identification");
        io.carebus.dicom.DicomDeidentifier deidentifier = new io.carebus.dicom.DicomDeidentifier(new HmacPseudonyms());
        research.deidentification = new io.carebus.api.deid.Deidentification() {
            @Override
            public java.util.Set<String> mediaTypes() {
                return java.util.Set.of("application/dicom");
            }

            @Override
            public byte[] deidentify(String mediaType, byte[] payload, String profile, String actor) {
                try {
                    return deidentifier.deidentify(payload, io.carebus.dicom.DicomDeidentifier.Options.defaults()).part10();
                } catch (Exception e) {
                    throw new IllegalArgumentException(e.getMessage(), e);
                }
            }
        };
        storescp(port, out);
        await(() -> gateway.forwardQueue().counts("research").get("SENT") == 3, "3 de-identified copies sent");
        try (Stream<Path> files = Files.list(out)) {
            for (Path file : files.toList()) {
                String text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(text).doesNotContain("Testpatient").doesNotContain("PAT-0001")
                        .doesNotContain(instances.get(0).studyInstanceUid());
                com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
                list.read(file.toFile());
                assertThat(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list,
                        com.pixelmed.dicom.TagFromName.PatientIdentityRemoved)).isEqualTo("YES");
            }
        }
        assertThat(filesIn(out)).isEqualTo(3);
    }

    /** Keyed (HMAC-SHA256) pseudonyms behind the carebus-api contract, for the test above. */
    private static final class HmacPseudonyms implements io.carebus.api.deid.Pseudonymizer {
        private String hmac(String... parts) {
            try {
                javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
                mac.init(new javax.crypto.spec.SecretKeySpec("test-secret-test-secret-test-sec".getBytes(), "HmacSHA256"));
                return new java.math.BigInteger(1, java.util.Arrays.copyOf(mac.doFinal(String.join("|", parts).getBytes()), 16)).toString();
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String pseudonym(io.carebus.api.deid.PatientIdentifier patient) {
            return "P" + hmac("p", patient.system(), patient.value()).substring(0, 12);
        }

        @Override
        public int dateShiftDays(io.carebus.api.deid.PatientIdentifier patient) {
            return 17;
        }

        @Override
        public String keyId() {
            return "t1";
        }

        @Override
        public String[] replacementName(io.carebus.api.deid.PatientIdentifier patient) {
            return new String[] {"Doe", "Pat"};
        }

        @Override
        public String identifier(String system, String value) {
            return "X" + hmac("i", system, value).substring(0, 10);
        }

        @Override
        public String uid(String original) {
            return "2.25." + hmac("u", original);
        }
    }

    @Test
    void aDestinationThatRefusesUsEndsDeadWithItsReason() throws Exception {
        List<DicomInstance> instances = receive(2);
        // another CareBus SCP that only takes associations from PACS
        CloseableMessageStore pickyStore = MessageStores.openEmbedded(dir.resolve("picky-store"), Duration.ofHours(1));
        DicomGateway picky = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(Map.of("port", 0, "bind_address", "127.0.0.1",
                "storage_dir", dir.resolve("picky").toString(),
                "ae_title", "PICKY", "calling_ae_allowed", "PACS", "min_free_mb", 1L))), pickyStore, pickyStore.database(), (id, study) -> { });
        try {
            DicomDestination d = destination("picky", "PICKY", picky.port(), 3);
            instances.forEach(i -> gateway.forwardQueue().add("picky", i.messageId()));
            d.wake();
            await(() -> gateway.forwardQueue().counts("picky").get("DEAD") == 2, "dead-lettered");
            assertThat(gateway.forwardQueue().lastError("picky", instances.get(0).messageId()))
                    .contains("association rejected").contains("gave up after 3 attempts");
            assertThat(gateway.forwardQueue().retryDead("picky")).isEqualTo(2);
            assertThat(gateway.forwardQueue().counts("picky")).containsEntry("PENDING", 2);
        } finally {
            picky.deactivate();
            pickyStore.close();
        }
    }

    @Test
    void orthancReceivesTheStudyAsAPacsWould() throws Exception {
        List<DicomInstance> instances = receive(5);
        try (Orthanc orthanc = Orthanc.start(Files.createDirectories(dir.resolve("orthanc")))) {
            DicomDestination pacs = destination("pacs", Orthanc.AE, orthanc.dicomPort(), 5);
            DicomForwarder forwarder = new DicomForwarder(gateway);
            forwarder.addDestination(pacs);
            DicomForwarding.EchoResult echo = forwarder.echo("pacs");
            assertThat(echo.ok()).as(echo.detail()).isTrue();
            assertThat(forwarder.queueStudy("pacs", instances.get(0).studyInstanceUid())).isEqualTo(5);
            await(() -> forwarder.queueCounts("pacs").get("SENT") == 5, "5 sent to Orthanc");
            assertThat(orthanc.instances()).hasSize(5);
            String study = orthanc.get("/studies");
            assertThat(study.replaceAll("[\\[\\]\"\\s]", "").split(",")).hasSize(1);
            // its DICOMweb plugin (QIDO-RS) finds the study by UID
            assertThat(orthanc.get("/dicom-web/studies?StudyInstanceUID=" + instances.get(0).studyInstanceUid()))
                    .contains(instances.get(0).studyInstanceUid());
            assertThat(forwarder.queueStudy("pacs", instances.get(0).studyInstanceUid())).as("queued once only").isZero();
        }
    }
}
