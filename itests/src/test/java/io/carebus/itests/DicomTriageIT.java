package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import io.carebus.api.store.MessageQuery;
import io.carebus.api.store.MessageStatus;
import io.carebus.api.store.MessageStore;
import io.carebus.api.store.StoredMessage;
import io.carebus.dicom.DicomForwarding;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 21, DICOM triage end to end, on the appliance as shipped except for a research destination
 * ({@code etc/io.carebus.dicom.destination-research.cfg}, de-identifying, pointing at Debian's Orthanc started by the
 * test) and the shipped {@code routes/dicom-ai-triage.yaml} with {@code researchDestination: research} (the appliance's
 * copy, rewritten while it runs, as an engineer would).
 *
 * <p>dcmtk's storescu sends simulated chest CT slices (models/model-tools LesionImages: two with a nodule, two without),
 * a head CT and an MR, each of its own patient and study, to the appliance's SCP. Each chest slice gives a
 * DiagnosticReport, an Observation, a heatmap DocumentReference with its Binary and a Provenance, kept LOCAL and
 * found by the real Patient ID; the nodule slices score higher than the clean ones. Orthanc gets every instance,
 * de-identified only (no original Patient ID, name or UID). The head CT and the MR get no result and no error. Every
 * message ends PROCESSED.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DicomTriageIT extends CareBusTestSupport {

    static final String ORTHANC_DICOM_PORT = "carebus.itest.orthanc.dicom.port";
    static final String ORTHANC_HTTP_PORT = "carebus.itest.orthanc.http.port";
    static final String SLICES = "carebus.itest.triage.slices";
    static final String ORTHANC_AE = "RESEARCH";

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected MessageStore store;

    @Inject
    protected DicomForwarding forwarding;

    @Inject
    protected io.carebus.inference.ModelRegistry registry;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Option[] base = super.config();
        int orthancDicom = freePort();
        int orthancHttp = freePort();
        Path slices;
        try {
            slices = Slices.write(Path.of("target/dicom-triage-it").toAbsolutePath());
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the test slices", e);
        }
        String cfg = "etc/io.carebus.dicom.destination-research.cfg";
        return plus(base,
                systemProperty(ORTHANC_DICOM_PORT).value(Integer.toString(orthancDicom)),
                systemProperty(ORTHANC_HTTP_PORT).value(Integer.toString(orthancHttp)),
                systemProperty(SLICES).value(slices.toString()),
                editConfigurationFilePut(cfg, "name", "research"),
                editConfigurationFilePut(cfg, "ae.title", ORTHANC_AE),
                editConfigurationFilePut(cfg, "host", "127.0.0.1"),
                editConfigurationFilePut(cfg, "port", Integer.toString(orthancDicom)),
                editConfigurationFilePut(cfg, "deidentify", "true"),
                editConfigurationFilePut(cfg, "backoff.initial.seconds", "1"),
                editConfigurationFilePut(cfg, "backoff.max.seconds", "2"));
    }

    /**
     * The instances to send, made in the Maven JVM (only {@link #config()} touches this class, so the container never
     * loads the simulator). Each is its own patient and study; the file name says what it is.
     */
    static final class Slices {

        static final String MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4";

        static Path write(Path root) throws Exception {
            Path dir = Files.createDirectories(root.resolve("slices-" + System.currentTimeMillis()));
            // The same simulated slices carebus-dicom's DicomImageInferenceTest finds nodules on (seed 42, nodule on every
            // other one), written 224² as the card's input size: unit value v under the lung window -600/1500 is HU
            // 1500 v - 1350, stored signed with Rescale Intercept -1024, as a scanner would.
            java.util.SplittableRandom random = new java.util.SplittableRandom(42);
            String[] names = {"nodule-1", "clean-1", "nodule-2", "clean-2"};
            for (int i = 0; i < names.length; i++) {
                io.carebus.models.tools.LesionImages.Image image = io.carebus.models.tools.LesionImages.generate(random, i % 2 == 0);
                int size = io.carebus.models.tools.LesionImages.SIZE;
                float[] v = image.pixels();
                write(io.carebus.dicom.testing.TestImages.Spec.ct(uid(), uid(), size,
                                (x, y) -> (int) Math.round(1500 * v[y * size + x] - 1350 + 1024)).withRescale(1, -1024, true),
                        names[i], "CHEST", "CT", dir);
            }
            // Images the model is not for: a head CT and an MR (64², a plain gradient).
            write(io.carebus.dicom.testing.TestImages.Spec.ct(uid(), uid(), 64, (x, y) -> 1024 + 10 * x), "head-ct", "HEAD", "CT", dir);
            write(io.carebus.dicom.testing.TestImages.Spec.ct(uid(), uid(), 64, (x, y) -> 200 + 5 * y).withSopClass(MR_IMAGE_STORAGE),
                    "mr", "BRAIN", "MR", dir);
            return dir;
        }

        private static String uid() {
            return io.carebus.dicom.testing.TestImages.uid();
        }

        private static void write(io.carebus.dicom.testing.TestImages.Spec spec, String name, String bodyPart, String modality, Path dir)
                throws Exception {
            AttributeList list = io.carebus.dicom.testing.TestImages.attributes(spec);
            String key = name.toUpperCase(java.util.Locale.ROOT);
            list.replaceWithValueIfPresent(TagFromName.PatientID, "CBT-" + key);
            list.replaceWithValueIfPresent(TagFromName.PatientName, "Triage" + key.replace("-", "") + "^Hermione");
            list.replaceWithValueIfPresent(TagFromName.AccessionNumber, "ACC-" + key);
            list.replaceWithValueIfPresent(TagFromName.BodyPartExamined, bodyPart);
            list.replaceWithValueIfPresent(TagFromName.Modality, modality);
            com.pixelmed.dicom.FileMetaInformation.addFileMetaInformation(list, io.carebus.dicom.testing.TestImages.EXPLICIT_LE, "TESTGEN");
            list.write(dir.resolve(name + ".dcm").toFile(), io.carebus.dicom.testing.TestImages.EXPLICIT_LE, true, true);
        }
    }

    /** What one sent file is. */
    private record Sent(String name, Path file, String patientId, String patientName, String study, String series, String sop) {

        boolean chest() {
            return name.startsWith("nodule") || name.startsWith("clean");
        }
    }

    private static List<Sent> readSlices() throws Exception {
        List<Sent> sent = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty(SLICES)))) {
            for (Path f : files.sorted().toList()) {
                AttributeList list = new AttributeList();
                list.read(f.toFile());
                String name = f.getFileName().toString().replace(".dcm", "");
                sent.add(new Sent(name, f, value(list, TagFromName.PatientID), value(list, TagFromName.PatientName),
                        value(list, TagFromName.StudyInstanceUID), value(list, TagFromName.SeriesInstanceUID), value(list, TagFromName.SOPInstanceUID)));
            }
        }
        assertEquals("the slices written by config(): " + sent, 6, sent.size());
        return sent;
    }

    private static String value(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(list, tag);
    }

    /** Debian's Orthanc as the research archive, on the ports config() chose, storage in the appliance's test folder. */
    private static final class Orthanc implements AutoCloseable {

        private final Process process;
        private final Path log;
        private final int httpPort;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Orthanc(Path dir, int dicomPort, int httpPort) throws IOException {
            this.httpPort = httpPort;
            Path storage = Files.createDirectories(dir.resolve("db"));
            Path config = dir.resolve("orthanc.json");
            Files.writeString(config, """
                    {
                      "Name": "carebus-research-archive",
                      "StorageDirectory": "%s",
                      "IndexDirectory": "%s",
                      "DicomAet": "%s",
                      "DicomPort": %d,
                      "HttpPort": %d,
                      "RemoteAccessAllowed": false,
                      "AuthenticationEnabled": false,
                      "DicomCheckCalledAet": true,
                      "DicomAlwaysAllowStore": true,
                      "DicomAlwaysAllowEcho": true,
                      "Plugins": [ ]
                    }
                    """.formatted(storage, storage, ORTHANC_AE, dicomPort, httpPort));
            log = dir.resolve("orthanc.log");
            ProcessBuilder builder = new ProcessBuilder("Orthanc", config.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("TCP_NODELAY", "1");
            process = builder.start();
        }

        String get(String path) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("Orthanc answered " + response.statusCode() + " to " + path + ": " + response.body());
            }
            return response.body();
        }

        String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TCP_NODELAY", "1");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return p.exitValue() + ":" + out;
    }

    /** For waits: a check that throws (not up yet) has not held yet. */
    private static boolean holds(Callable<Boolean> check) {
        try {
            return check.call();
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    private JsonNode fhirSearch(String type, String query) throws Exception {
        HttpResponse<String> found = get("/fhir/" + type + "?" + query, "admin", adminPassword());
        assertEquals(found.body(), 200, found.statusCode());
        JsonNode bundle = JSON.readTree(found.body());
        assertEquals(found.body(), "searchset", bundle.path("type").asText());
        return bundle;
    }

    private JsonNode bySubject(String type, String patientId) throws Exception {
        return fhirSearch(type, "subject.identifier=" + URLEncoder.encode(patientId, StandardCharsets.UTF_8));
    }

    private static List<JsonNode> resources(JsonNode bundle) {
        List<JsonNode> out = new ArrayList<>();
        bundle.path("entry").forEach(e -> out.add(e.path("resource")));
        return out;
    }

    /** The one resource of a search for one patient: exactly one, for the real patient, never a pseudonym. */
    private JsonNode onlyOne(String type, Sent s) throws Exception {
        List<JsonNode> found = resources(bySubject(type, s.patientId()));
        assertEquals(type + " for " + s.name() + " (" + s.patientId() + "): " + found, 1, found.size());
        JsonNode resource = found.get(0);
        assertEquals(resource.toString(), type, resource.path("resourceType").asText());
        JsonNode subject = type.equals("Binary") ? resource.path("securityContext") : resource.path("subject");
        assertEquals("the real Patient ID on " + resource, s.patientId(), subject.path("identifier").path("value").asText());
        assertFalse("no pseudonym left on " + resource, resource.toString().contains("urn:carebus:pseudonym"));
        return resource;
    }

    private static String identifierValue(JsonNode resource) {
        return resource.path("identifier").get(0).path("value").asText();
    }

    private static String tag(JsonNode tags, String name) {
        return tags.path(name).asText("");
    }

    @Test
    public void chestCtSlicesAreTriagedLocallyForTheRealPatientAndTheResearchArchiveGetsOnlyDeidentifiedCopies() throws Exception {
        List<Sent> sent = readSlices();
        String port = System.getProperty(DICOM_PORT);
        await("DICOM SCP listening", Duration.ofSeconds(90), () -> {
            try (Socket s = new Socket("127.0.0.1", Integer.parseInt(port))) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        await("chest-nodule-demo serving", Duration.ofSeconds(90), () -> registry.models().stream()
                .anyMatch(m -> "chest-nodule-demo".equals(m.modelId()) && m.state() == io.carebus.inference.ServingState.SERVING));

        // The research archive: Debian's Orthanc, TCP_NODELAY=1.
        Path orthancDir = Files.createDirectories(karafBase().resolve("itest-orthanc"));
        try (Orthanc orthanc = new Orthanc(orthancDir, Integer.getInteger(ORTHANC_DICOM_PORT), Integer.getInteger(ORTHANC_HTTP_PORT))) {
            try {
                await("Orthanc up", Duration.ofSeconds(30), () -> holds(() -> orthanc.get("/system").contains(ORTHANC_AE)));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + orthanc.log(), e);
            }
            assertEquals("Orthanc starts empty", "[]", orthanc.get("/instances").replaceAll("\\s", ""));
            triage(sent, orthanc);
        }
    }

    private void triage(List<Sent> sent, Orthanc orthanc) throws Exception {
        // The shipped dicom-ai-triage with a research destination, as an engineer would set it: in the appliance's copy.
        Path route = karafBase().resolve("routes/dicom-ai-triage.yaml");
        String shipped = Files.readString(route);
        String configured = shipped.replaceFirst("(- name: researchDestination\\s*\\n\\s*value: )\"\"", "$1research");
        assertFalse("the shipped dicom-ai-triage.yaml sets researchDestination to \"\":\n" + shipped, configured.equals(shipped));
        Instant written = Instant.now().minusMillis(1);
        Files.writeString(route, configured);
        await("dicom-ai-triage.yaml redeployed with researchDestination research", Duration.ofSeconds(30), () -> holds(() -> {
            JsonNode file = JSON.readTree(get("/api/routes", "admin", adminPassword()).body()).path("files").path("dicom-ai-triage.yaml");
            return file.path("deployed").asBoolean() && !Instant.parse(file.path("at").asText()).isBefore(written)
                    && "Started".equals(file.path("routes").path("dicom-ai-triage").asText());
        }));

        long started = System.nanoTime();
        String port = System.getProperty(DICOM_PORT);
        List<String> command = new ArrayList<>(List.of("storescu", "-v", "-aec", "CAREBUS", "127.0.0.1", port));
        sent.forEach(s -> command.add(s.file().toString()));
        String stored = run(command);
        assertTrue(stored, stored.startsWith("0:") && stored.split("Store Response \\(Success\\)", -1).length == sent.size() + 1);

        // Every message PROCESSED: each instance went through the pipeline, then its study completed.
        Map<String, StoredMessage> messages = new LinkedHashMap<>();
        await("all " + sent.size() + " DICOM messages PROCESSED", Duration.ofSeconds(60), () -> {
            for (Sent s : sent) {
                StoredMessage m = message(s.sop());
                if (m == null) {
                    return false;
                }
                if (m.status() == MessageStatus.ERROR) {
                    fail(s.name() + " ended ERROR: " + m);
                }
                if (m.status() != MessageStatus.PROCESSED) {
                    return false;
                }
                messages.put(s.name(), m);
            }
            return true;
        });

        // Per chest slice: DiagnosticReport + Observation + heatmap DocumentReference + Binary + Provenance, LOCAL, found
        // by the real Patient ID.
        Map<String, Double> scores = new HashMap<>();
        for (Sent s : sent.stream().filter(Sent::chest).toList()) {
            JsonNode report = onlyOne("DiagnosticReport", s);
            JsonNode observation = onlyOne("Observation", s);
            JsonNode document = onlyOne("DocumentReference", s);
            JsonNode binary = onlyOne("Binary", s);
            assertTrue(report.toString(), report.path("imagingStudy").toString().contains("urn:oid:" + s.study()));
            assertTrue(report.toString(), report.path("conclusion").asText().contains("nodule probability"));
            assertTrue("the report lists the Observation: " + report, report.path("result").toString().contains(identifierValue(observation)));
            assertTrue(observation.toString(), observation.path("category").toString().contains("imaging"));
            JsonNode value = observation.path("valueQuantity").path("value");
            assertTrue(observation.toString(), value.isNumber());
            scores.put(s.name(), value.asDouble());
            // The DocumentReference's attachment is the Binary, a PNG overlay.
            String url = document.path("content").get(0).path("attachment").path("url").asText();
            assertEquals(document.toString(), "Binary/" + binary.path("id").asText(), url);
            assertEquals("image/png", binary.path("contentType").asText());
            assertTrue("PNG bytes", binary.path("data").asText().startsWith("iVBORw0KGgo"));
            HttpResponse<String> read = get("/fhir/" + url, "admin", adminPassword());
            assertEquals(read.body(), 200, read.statusCode());
            // The Provenance over the report's results names the report and the instance's message.
            String reportId = identifierValue(report);
            List<JsonNode> provenances = resources(fhirSearch("Provenance", "_count=1000")).stream()
                    .filter(p -> p.path("target").toString().contains(reportId)).toList();
            assertEquals("one Provenance targeting the report of " + s.name(), 1, provenances.size());
            JsonNode provenance = provenances.get(0);
            assertTrue(provenance.toString(), provenance.path("target").toString().contains(identifierValue(observation)));
            String messageId = Long.toString(messages.get(s.name()).id());
            List<JsonNode> entities = new ArrayList<>();
            provenance.path("entity").forEach(entities::add);
            assertTrue("the Provenance names message " + messageId + ": " + provenance, entities.stream()
                    .anyMatch(e -> messageId.equals(e.path("what").path("identifier").path("value").asText())));
        }
        double lowestNodule = Math.min(scores.get("nodule-1"), scores.get("nodule-2"));
        double highestClean = Math.max(scores.get("clean-1"), scores.get("clean-2"));
        assertTrue("nodule slices score higher than clean ones: " + scores, lowestNodule > highestClean);

        // The head CT and the MR: no result, no error (they were PROCESSED above).
        for (Sent s : sent.stream().filter(s -> !s.chest()).toList()) {
            for (String type : List.of("DiagnosticReport", "Observation", "DocumentReference", "Binary")) {
                assertEquals(type + " for " + s.name(), 0, resources(bySubject(type, s.patientId())).size());
            }
        }
        // Kept LOCAL: no EHR is configured, so every result is in the local outbox only.
        JsonNode outbox = JSON.readTree(get("/api/outbox?limit=1000", "admin", adminPassword()).body());
        int reports = 0;
        for (JsonNode entry : outbox) {
            assertEquals("kept LOCAL: " + entry, "local", entry.path("ehr").asText());
            reports += "DiagnosticReport".equals(entry.path("resourceType").asText()) ? 1 : 0;
        }
        assertEquals("DiagnosticReports in the outbox: " + outbox, 4, reports);

        // The research archive: every instance, de-identified only.
        try {
            await("Orthanc holds " + sent.size() + " instances", Duration.ofSeconds(30), () -> holds(() ->
                    JSON.readTree(orthanc.get("/instances")).size() == sent.size()));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; queue " + forwarding.queueCounts("research") + "\n" + orthanc.log(), e);
        }
        assertEquals("sent to the research archive: " + forwarding.queueCounts("research"), Integer.valueOf(sent.size()),
                forwarding.queueCounts("research").get("SENT"));
        Set<String> originalIds = new HashSet<>();
        Set<String> originalUids = new HashSet<>();
        Set<String> originalNames = new HashSet<>();
        for (Sent s : sent) {
            originalIds.add(s.patientId());
            originalNames.add(s.patientName().split("\\^")[0]);
            originalUids.addAll(List.of(s.study(), s.series(), s.sop()));
        }
        Set<String> pseudonyms = new HashSet<>();
        Set<String> archivedSops = new HashSet<>();
        for (JsonNode id : JSON.readTree(orthanc.get("/instances"))) {
            String raw = orthanc.get("/instances/" + id.asText() + "/simplified-tags");
            JsonNode tags = JSON.readTree(raw);
            for (String original : originalIds) {
                assertFalse("original Patient ID " + original + " at the research archive: " + raw, raw.contains(original));
            }
            for (String original : originalNames) {
                assertFalse("original name " + original + " at the research archive: " + raw, raw.contains(original));
            }
            for (String original : originalUids) {
                assertFalse("original UID " + original + " at the research archive: " + raw, raw.contains(original));
            }
            assertFalse("birth date at the research archive: " + raw, raw.contains("19700101"));
            assertFalse(raw, tag(tags, "PatientID").isBlank());
            assertEquals(raw, "YES", tag(tags, "PatientIdentityRemoved"));
            for (String uid : List.of("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID")) {
                assertTrue(uid + " replaced by a 2.25 UID: " + raw, tag(tags, uid).startsWith("2.25."));
            }
            pseudonyms.add(tag(tags, "PatientID"));
            archivedSops.add(tag(tags, "SOPInstanceUID"));
        }
        assertEquals("one pseudonym per patient: " + pseudonyms, sent.size(), pseudonyms.size());
        assertEquals("distinct instances: " + archivedSops, sent.size(), archivedSops.size());
        System.out.printf("DicomTriageIT: %d instances stored, triaged, archived in %d ms after storescu began; scores %s%n",
                sent.size(), (System.nanoTime() - started) / 1_000_000, scores);
    }

    private StoredMessage message(String sopInstanceUid) {
        var found = store.search(new MessageQuery(sopInstanceUid, null, null, null, null, null, null, null, 10));
        assertTrue("one message per SOP Instance UID " + sopInstanceUid + ": " + found, found.size() <= 1);
        return found.isEmpty() ? null : store.find(found.get(0).id()).orElse(null);
    }
}
