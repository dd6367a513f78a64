package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.StoredMessage;
import io.carebus.dicom.DicomInstance;
import io.carebus.dicom.internal.net.ScuAssociation;
import io.carebus.dicom.internal.net.StoreService;
import io.carebus.dicom.testing.Dcmtk;
import io.carebus.dicom.testing.TestImages;
import io.carebus.fhir.testing.Configs;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SCP against dcmtk's echoscu and storescu, and against raw C-STOREs of broken data sets. */
class ScpTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DicomGateway gateway;
    private final List<Long> dispatched = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
    }

    private void gateway(Map<String, Object> settings) throws IOException {
        Map<String, Object> values = new HashMap<>(Map.of("port", 0, "bind_address", "127.0.0.1", "storage_dir",
                dir.resolve("dicom").toString(), "min_free_mb", 1L, "idle_timeout_seconds", 5));
        values.putAll(settings);
        gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(values)), store, store.database(), (id, study) -> dispatched.add(id));
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.deactivate();
        }
        store.close();
    }

    private List<String> storescu(String callingAe, List<Path> files) {
        List<String> command = new ArrayList<>(List.of("storescu", "-v", "-aet", callingAe, "-aec", "CAREBUS", "127.0.0.1",
                String.valueOf(gateway.port())));
        files.forEach(f -> command.add(f.toString()));
        return command;
    }

    private List<DicomInstance> kept() {
        List<DicomInstance> all = new ArrayList<>();
        for (long id : dispatched) {
            all.add(gateway.instance(id).orElseThrow());
        }
        return all;
    }

    @Test
    void echoscuGetsSuccess() throws Exception {
        gateway(Map.of());
        Dcmtk.Result echo = Dcmtk.run("echoscu", "-v", "-aet", "MODALITY", "-aec", "CAREBUS", "127.0.0.1", String.valueOf(gateway.port()));
        assertThat(echo.exitCode()).as(echo.output()).isZero();
        assertThat(echo.output()).contains("Received Echo Response (Success)");
    }

    @Test
    void storedInstancesAreOnDiskAndInTheStoreBeforeSuccess() throws Exception {
        gateway(Map.of());
        List<Path> files = TestImages.ctSeries(dir, 12, 64);
        Dcmtk.Result run = Dcmtk.run(storescu("MODALITY", files));
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output().split("Received Store Response \\(Success\\)", -1)).hasSize(13);

        assertThat(dispatched).hasSize(12);
        Map<String, Path> originals = new java.util.HashMap<>();
        for (Path f : files) {
            originals.put(sopInstanceOf(f), f);
        }
        for (DicomInstance instance : kept()) {
            assertThat(instance.file()).exists();
            assertThat(instance.file().startsWith(dir.resolve("dicom").resolve("instances"))).isTrue();
            assertThat(instance.sha256()).hasSize(64);
            assertThat(instance.callingAe()).isEqualTo("MODALITY");
            assertThat(instance.modality()).isEqualTo("CT");
            StoredMessage message = store.find(instance.messageId()).orElseThrow();
            assertThat(message.status()).isEqualTo(MessageStatus.RECEIVED);
            assertThat(message.message().protocol()).isEqualTo("DICOM");
            assertThat(message.message().controlId()).isEqualTo(instance.sopInstanceUid());
            // The kept file is the same data set: the original file and ours agree after their file meta information.
            byte[] ours = Files.readAllBytes(instance.file());
            assertThat(new String(ours, 128, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("DICM");
            Path original = originals.get(instance.sopInstanceUid());
            assertThat(original).as("a file was sent with SOP Instance UID %s", instance.sopInstanceUid()).isNotNull();
            assertThat(dataSet(ours)).as("data set of %s", instance.sopInstanceUid()).isEqualTo(dataSet(Files.readAllBytes(original)));
        }
        assertThat(kept().stream().map(DicomInstance::studyInstanceUid).distinct()).hasSize(1);
        assertThat(gateway.study(kept().get(0).studyInstanceUid())).hasSize(12);
        try (Stream<Path> incoming = Files.list(dir.resolve("dicom").resolve("incoming"))) {
            assertThat(incoming).as("no part files left").isEmpty();
        }
    }

    @Test
    void jpegBaselineIsKeptAsReceived() throws Exception {
        gateway(Map.of());
        StringBuilder pgm = new StringBuilder("P2\n32 32\n255\n");
        for (int i = 0; i < 32 * 32; i++) {
            pgm.append(i % 251).append(' ');
        }
        Path image = Files.writeString(dir.resolve("gradient.pgm"), pgm);
        Path jpeg = dir.resolve("gradient.jpg");
        assertThat(Dcmtk.run("cjpeg", "-grayscale", "-outfile", jpeg.toString(), image.toString()).exitCode()).isZero();
        Path dicom = dir.resolve("gradient.dcm");
        Dcmtk.Result img2dcm = Dcmtk.run("img2dcm", jpeg.toString(), dicom.toString());
        assertThat(img2dcm.exitCode()).as(img2dcm.output()).isZero();
        // one presentation context offering JPEG Baseline first, then the uncompressed syntaxes, as modalities do
        List<String> command = new ArrayList<>(storescu("MODALITY", List.of(dicom)));
        command.add(1, "-xy");
        Dcmtk.Result run = Dcmtk.run(command);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("Received Store Response (Success)").doesNotContain("-> Little Endian");
        DicomInstance kept = kept().get(0);
        assertThat(kept.transferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.4.50");
        assertThat(kept.sopClassUid()).isEqualTo(TestImages.SC);
        // the JPEG stream is kept byte for byte: the original file and ours hold the same data set
        assertThat(dataSet(Files.readAllBytes(kept.file()))).isEqualTo(dataSet(Files.readAllBytes(dicom)));
    }

    @Test
    void rleAndJpegLsAreKeptAsReceived() throws Exception {
        gateway(Map.of());
        Path ct = TestImages.ctSeries(dir, 1, 64).get(0);
        // encoder, the transfer syntax it writes, and storescu's option to propose it (first, then uncompressed)
        List<List<String>> encoders = List.of(List.of("dcmcrle", "1.2.840.10008.1.2.5", "-xr"),
                List.of("dcmcjpls", "1.2.840.10008.1.2.4.80", "-xt"));
        for (List<String> encoder : encoders) {
            Path encoded = dir.resolve(encoder.get(0) + ".dcm");
            Dcmtk.Result encode = Dcmtk.run(encoder.get(0), ct.toString(), encoded.toString());
            assertThat(encode.exitCode()).as(encode.output()).isZero();
            // a new SOP Instance UID, so each is a new instance rather than a resend of the same one
            assertThat(Dcmtk.run("dcmodify", "-nb", "-gin", encoded.toString()).exitCode()).isZero();
            List<String> command = new ArrayList<>(storescu("MODALITY", List.of(encoded)));
            command.add(1, encoder.get(2));
            Dcmtk.Result run = Dcmtk.run(command);
            assertThat(run.exitCode()).as(run.output()).isZero();
            assertThat(run.output()).contains("Received Store Response (Success)").doesNotContain("-> Little Endian");
            String sopInstance = sopInstanceOf(encoded);
            DicomInstance kept = kept().stream().filter(i -> i.sopInstanceUid().equals(sopInstance)).findFirst().orElseThrow();
            assertThat(kept.transferSyntaxUid()).as(encoder.get(0)).isEqualTo(encoder.get(1));
            assertThat(dataSet(Files.readAllBytes(kept.file()))).isEqualTo(dataSet(Files.readAllBytes(encoded)));
        }
    }

    /** A second, independent implementation of the DICOM upper layer as the sender: PixelMed's own SCUs (Java). */
    @Test
    void pixelmedsScusEchoAndStore() throws Exception {
        gateway(Map.of());
        new com.pixelmed.network.VerificationSOPClassSCU("127.0.0.1", gateway.port(), "CAREBUS", "PIXELMED", false);
        Path file = TestImages.ctSeries(dir, 1, 64).get(0);
        new com.pixelmed.network.StorageSOPClassSCU("127.0.0.1", gateway.port(), "CAREBUS", "PIXELMED", file.toString(),
                TestImages.CT, sopInstanceOf(file), 0);
        assertThat(dispatched).hasSize(1);
        DicomInstance kept = kept().get(0);
        assertThat(kept.callingAe()).isEqualTo("PIXELMED");
        assertThat(kept.sopInstanceUid()).isEqualTo(sopInstanceOf(file));
        assertThat(dataSet(Files.readAllBytes(kept.file()))).isEqualTo(dataSet(Files.readAllBytes(file)));
    }

    @Test
    void aResendIsSuccessButNotProcessedAgain() throws Exception {
        gateway(Map.of());
        List<Path> files = TestImages.ctSeries(dir, 2, 32);
        assertThat(Dcmtk.run(storescu("MODALITY", files)).exitCode()).isZero();
        Dcmtk.Result again = Dcmtk.run(storescu("MODALITY", files));
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("Received Store Response (Success)");
        assertThat(dispatched).hasSize(2);
    }

    @Test
    void severalAssociationsAtOnce() throws Exception {
        gateway(Map.of());
        List<Process> senders = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            Path sub = Files.createDirectories(dir.resolve("sender" + s));
            senders.add(Dcmtk.start(storescu("MODALITY" + s, TestImages.ctSeries(sub, 8, 64))));
        }
        for (Process p : senders) {
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
        }
        assertThat(dispatched).hasSize(32);
        assertThat(kept().stream().map(DicomInstance::studyInstanceUid).distinct()).hasSize(4);
    }

    @Test
    void unsupportedSopClassIsNotAccepted() throws Exception {
        gateway(Map.of());
        Path plan = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 8, (x, y) -> 0)
                .withSopClass(TestImages.RT_PLAN), dir.resolve("plan.dcm"));
        Dcmtk.Result run = Dcmtk.run(storescu("MODALITY", List.of(plan)));
        assertThat(run.output()).containsIgnoringCase("no presentation context");
        assertThat(dispatched).isEmpty();
    }

    @Test
    void aCallingAeNotAllowedIsRejected() throws Exception {
        gateway(Map.of("calling_ae_allowed", "MODALITY, PACS"));
        Dcmtk.Result run = Dcmtk.run(storescu("INTRUDER", TestImages.ctSeries(dir, 1, 16)));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("Association Rejected").contains("Calling AE Title Not Recognized");
        assertThat(dispatched).isEmpty();
        Dcmtk.Result allowed = Dcmtk.run(storescu("PACS", TestImages.ctSeries(Files.createDirectories(dir.resolve("ok")), 1, 16)));
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(dispatched).hasSize(1);
    }

    @Test
    void aCalledAeThatIsNotOursIsRejected() throws Exception {
        gateway(Map.of());
        List<String> command = new ArrayList<>(List.of("storescu", "-v", "-aet", "MODALITY", "-aec", "SOMEONE-ELSE", "127.0.0.1",
                String.valueOf(gateway.port())));
        TestImages.ctSeries(dir, 1, 16).forEach(f -> command.add(f.toString()));
        Dcmtk.Result run = Dcmtk.run(command);
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("Association Rejected").contains("Called AE Title Not Recognized");
        assertThat(dispatched).isEmpty();
    }

    @Test
    void anIdleAssociationIsAbortedAfterTheIdleTimeout() throws Exception {
        gateway(Map.of("idle_timeout_seconds", 1));
        try (io.carebus.dicom.internal.net.RawPeer peer = io.carebus.dicom.internal.net.RawPeer.connect("127.0.0.1", gateway.port())) {
            peer.send(io.carebus.dicom.internal.net.RawPeer.associateRequest("MODALITY", "CAREBUS", 0));
            assertThat(peer.read().type()).isEqualTo(io.carebus.dicom.internal.net.Pdu.ASSOCIATE_AC);
            long start = System.nanoTime();
            // Nothing sent after the accept: the SCP ends the association with an A-ABORT, not a silent close.
            io.carebus.dicom.internal.net.Pdu next = peer.read();
            assertThat(next).as("a PDU before the close").isNotNull();
            assertThat(next.type()).isEqualTo(io.carebus.dicom.internal.net.Pdu.ABORT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
        Dcmtk.Result echo = Dcmtk.run("echoscu", "-aet", "MODALITY", "-aec", "CAREBUS", "127.0.0.1", String.valueOf(gateway.port()));
        assertThat(echo.exitCode()).as("still serving: " + echo.output()).isZero();
    }

    @Test
    void tlsAssociationsWorkAndPlainOnesDoNotGetIn() throws Exception {
        Path keyStore = dir.resolve("scp.p12");
        Path certificate = dir.resolve("scp.pem");
        Dcmtk.Result key = Dcmtk.run("keytool", "-genkeypair", "-alias", "scp", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit");
        assertThat(key.exitCode()).as(key.output()).isZero();
        Dcmtk.Result export = Dcmtk.run("keytool", "-exportcert", "-rfc", "-alias", "scp", "-keystore", keyStore.toString(),
                "-storepass", "changeit", "-file", certificate.toString());
        assertThat(export.exitCode()).as(export.output()).isZero();
        gateway(Map.of("tls_enabled", true, "tls_keystore", keyStore.toString(), "tls_keystore_password", "changeit"));

        List<String> command = new ArrayList<>(List.of("storescu", "-v", "+tla", "+cf", certificate.toString(), "-aec", "CAREBUS",
                "127.0.0.1", String.valueOf(gateway.port())));
        TestImages.ctSeries(dir, 2, 16).forEach(f -> command.add(f.toString()));
        Dcmtk.Result secure = Dcmtk.run(command);
        assertThat(secure.exitCode()).as(secure.output()).isZero();
        assertThat(secure.output()).contains("Received Store Response (Success)");
        assertThat(dispatched).hasSize(2);

        Dcmtk.Result plain = Dcmtk.run(storescu("MODALITY", TestImages.ctSeries(Files.createDirectories(dir.resolve("plain")), 1, 16)));
        assertThat(plain.exitCode()).isNotZero();
        assertThat(dispatched).hasSize(2);
    }

    @Test
    void storageFullIsRefusedWithA700() throws Exception {
        gateway(Map.of("min_free_mb", Long.MAX_VALUE / (2L * 1024 * 1024)));
        Dcmtk.Result run = Dcmtk.run(storescu("MODALITY", TestImages.ctSeries(dir, 1, 16)));
        assertThat(run.output()).contains("Refused: OutOfResources");
        assertThat(dispatched).isEmpty();
    }

    @Test
    void truncatedLyingAndMismatchedDataSetsGetFailureStatusesAndAreKeptForReprocessing() throws Exception {
        gateway(Map.of());
        Path file = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 32, (x, y) -> x), dir.resolve("one.dcm"));
        byte[] dataSet = dataSet(Files.readAllBytes(file));
        String sop = sopInstanceOf(file);
        try (ScuAssociation scu = ScuAssociation.open(SocketFactory.getDefault(), "127.0.0.1", gateway.port(), "RAW", "CAREBUS",
                List.of(new ScuAssociation.Offer(TestImages.CT, List.of(TestImages.EXPLICIT_LE))), 5000)) {
            // cut in the middle of the pixel data
            byte[] truncated = java.util.Arrays.copyOf(dataSet, dataSet.length - 700);
            assertThat(scu.store(TestImages.CT, sop, TestImages.EXPLICIT_LE, new ByteArrayInputStream(truncated)).status())
                    .isEqualTo(StoreService.Status.CANNOT_UNDERSTAND);
            // a length that claims more bytes than follow: Patient ID's length raised past the end of the data set
            byte[] lying = dataSet.clone();
            int at = indexOf(lying, new byte[] {0x10, 0x00, 0x20, 0x00, 'L', 'O'});
            lying[at + 6] = (byte) 0xF0;
            lying[at + 7] = (byte) 0x7F;
            ScuAssociation.Response response = scu.store(TestImages.CT, sop, TestImages.EXPLICIT_LE,
                    new ByteArrayInputStream(java.util.Arrays.copyOf(lying, 400)));
            assertThat(response.status()).isEqualTo(StoreService.Status.CANNOT_UNDERSTAND);
            assertThat(response.comment()).contains("cannot be parsed");
            // the command names another instance than the data set
            assertThat(scu.store(TestImages.CT, TestImages.uid(), TestImages.EXPLICIT_LE, new ByteArrayInputStream(dataSet)).status())
                    .isEqualTo(StoreService.Status.DATA_SET_MISMATCH);
            // and the association still serves a good one afterwards
            assertThat(scu.store(TestImages.CT, sop, TestImages.EXPLICIT_LE, new ByteArrayInputStream(dataSet)).status())
                    .isEqualTo(StoreService.Status.SUCCESS);
        }
        assertThat(dispatched).hasSize(1);
        List<StoredMessage> errors = store.search(new io.carebus.api.store.MessageQuery(null, MessageStatus.ERROR, null, null, null,
                null, null, null, 10)).stream().map(s -> store.find(s.id()).orElseThrow()).toList();
        assertThat(errors).hasSize(3);
        assertThat(errors).allSatisfy(e -> assertThat(e.error()).startsWith("C-STORE "));
        try (Stream<Path> rejected = Files.list(dir.resolve("dicom").resolve("rejected"))) {
            assertThat(rejected).hasSize(3);
        }
    }

    @Test
    void anAssociationDroppedMidInstanceLeavesNothingBehind() throws Exception {
        gateway(Map.of());
        Path file = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 256, (x, y) -> x), dir.resolve("big.dcm"));
        byte[] dataSet = dataSet(Files.readAllBytes(file));
        ScuAssociation scu = ScuAssociation.open(SocketFactory.getDefault(), "127.0.0.1", gateway.port(), "RAW", "CAREBUS",
                List.of(new ScuAssociation.Offer(TestImages.CT, List.of(TestImages.EXPLICIT_LE))), 500);
        java.io.InputStream halfThenFail = new java.io.InputStream() {
            int left = dataSet.length / 2;
            int at;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    scu.abort();
                    throw new IOException("sender died");
                }
                return dataSet[at++] & 0xFF;
            }
        };
        try {
            scu.store(TestImages.CT, sopInstanceOf(file), TestImages.EXPLICIT_LE, halfThenFail);
        } catch (IOException expected) {
            // the sender died
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (((Number) gateway.report().details().get("openAssociations")).intValue() > 0 && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertThat(gateway.report().details()).containsEntry("openAssociations", 0);
        try (Stream<Path> incoming = Files.list(dir.resolve("dicom").resolve("incoming"))) {
            assertThat(incoming).isEmpty();
        }
        assertThat(dispatched).isEmpty();
    }

    static byte[] dataSet(byte[] part10) throws IOException {
        return Part10.dataSet(new ByteArrayInputStream(part10)).readAllBytes();
    }

    static String sopInstanceOf(Path file) throws Exception {
        com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
        try (com.pixelmed.dicom.DicomInputStream in = new com.pixelmed.dicom.DicomInputStream(file.toFile())) {
            list.read(in, com.pixelmed.dicom.TagFromName.PixelData);
        }
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, com.pixelmed.dicom.TagFromName.SOPInstanceUID);
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("pattern not found");
    }
}
