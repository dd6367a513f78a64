package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.OtherWordAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UnsignedShortAttribute;
import io.carebus.dicom.DicomForwarding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
 * The DICOM gateway in the booted appliance: dcmtk's echoscu and storescu against its SCP, the study reaching the
 * shipped routes and being PROCESSED, STOW-RS over HTTP with JAAS, and a configured destination (dcmtk's storescp,
 * started by the test) receiving the study through the durable queue, with the shell's dicom commands.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DicomIT extends CareBusTestSupport {

    static final String ARCHIVE_PORT = "carebus.itest.archive.port";

    @Inject
    protected BootFinished bootFinished;

    @Inject
    protected DicomForwarding forwarding;

    @Inject
    protected io.carebus.inference.ModelRegistry registry;

    @Inject
    protected org.apache.camel.CamelContext camel;

    @Inject
    protected org.apache.karaf.shell.api.console.SessionFactory shell;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Option[] base = super.config();
        int archive = freePort();
        String cfg = "etc/io.carebus.dicom.destination-archive.cfg";
        Option[] extra = {
            systemProperty(ARCHIVE_PORT).value(Integer.toString(archive)),
            editConfigurationFilePut(cfg, "name", "archive"),
            editConfigurationFilePut(cfg, "ae.title", "ARCHIVE"),
            editConfigurationFilePut(cfg, "host", "127.0.0.1"),
            editConfigurationFilePut(cfg, "port", Integer.toString(archive)),
            editConfigurationFilePut(cfg, "backoff.initial.seconds", "1"),
        };
        return plus(base, extra);
    }

    /** A small synthetic CT instance, written with PixelMed (the appliance exports it). */
    private static byte[] ct(String study, String series) throws Exception {
        AttributeList list = new AttributeList();
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SOPClassUID), "1.2.840.10008.5.1.4.1.1.2");
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), uid());
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study);
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), series);
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.Modality), "CT");
        put(list, new com.pixelmed.dicom.LongStringAttribute(TagFromName.PatientID), "IT-PAT-1");
        put(list, new com.pixelmed.dicom.PersonNameAttribute(TagFromName.PatientName), "Itest^Patient");
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        put(list, new com.pixelmed.dicom.DateAttribute(TagFromName.StudyDate), "20261101");
        for (Object[] us : new Object[][] {{TagFromName.Rows, 16}, {TagFromName.Columns, 16}, {TagFromName.SamplesPerPixel, 1},
                {TagFromName.BitsAllocated, 16}, {TagFromName.BitsStored, 16}, {TagFromName.HighBit, 15}, {TagFromName.PixelRepresentation, 0}}) {
            Attribute a = new UnsignedShortAttribute((com.pixelmed.dicom.AttributeTag) us[0]);
            a.addValue((Integer) us[1]);
            list.put(a);
        }
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(new short[16 * 16]);
        list.put(pixels);
        FileMetaInformation.addFileMetaInformation(list, "1.2.840.10008.1.2.1", "ITEST");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        list.write(out, "1.2.840.10008.1.2.1", true, true);
        return out.toByteArray();
    }

    /** A 448² chest CT slice: lung at −800 HU with noise, one 0 HU nodule of radius 24 px at (300, 150). */
    private static Path chestSlice(Path dir, String study) throws Exception {
        AttributeList list = new AttributeList();
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SOPClassUID), "1.2.840.10008.5.1.4.1.1.2");
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), uid());
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), study);
        put(list, new com.pixelmed.dicom.UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), uid());
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.Modality), "CT");
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.BodyPartExamined), "CHEST");
        put(list, new com.pixelmed.dicom.LongStringAttribute(TagFromName.PatientID), "IT-PAT-2");
        put(list, new com.pixelmed.dicom.CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        put(list, new com.pixelmed.dicom.DecimalStringAttribute(TagFromName.RescaleSlope), "1");
        put(list, new com.pixelmed.dicom.DecimalStringAttribute(TagFromName.RescaleIntercept), "-1024");
        for (Object[] us : new Object[][] {{TagFromName.Rows, 448}, {TagFromName.Columns, 448}, {TagFromName.SamplesPerPixel, 1},
                {TagFromName.BitsAllocated, 16}, {TagFromName.BitsStored, 16}, {TagFromName.HighBit, 15}, {TagFromName.PixelRepresentation, 1}}) {
            Attribute a = new UnsignedShortAttribute((com.pixelmed.dicom.AttributeTag) us[0]);
            a.addValue((Integer) us[1]);
            list.put(a);
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        short[] values = new short[448 * 448];
        for (int y = 0; y < 448; y++) {
            for (int x = 0; x < 448; x++) {
                double hu = Math.hypot(x - 300, y - 150) <= 24 ? 0 : -800;
                values[y * 448 + x] = (short) Math.round(hu + 1024 + random.nextDouble(-30, 30));
            }
        }
        OtherWordAttribute pixels = new OtherWordAttribute(TagFromName.PixelData);
        pixels.setValues(values);
        list.put(pixels);
        FileMetaInformation.addFileMetaInformation(list, "1.2.840.10008.1.2.1", "ITEST");
        Path file = dir.resolve("chest.dcm");
        list.write(file.toFile(), "1.2.840.10008.1.2.1", true, true);
        return file;
    }

    /**
     * DICOM to AI to FHIR in the appliance: the shipped chest-nodule-demo bundle serves from deploy/, a chest CT slice
     * goes through carebus:infer, carebus:explain (Grad-CAM) and carebus:fhir-results, and the local results hold the
     * DiagnosticReport with the heatmap as Binary + DocumentReference.
     */
    @Test
    public void aChestCtSliceIsInferredExplainedAndReportedInFhir() throws Exception {
        await("chest-nodule-demo serving from deploy/", Duration.ofSeconds(90), () -> registry.models().stream()
                .anyMatch(m -> "chest-nodule-demo".equals(m.modelId()) && m.state() == io.carebus.inference.ServingState.SERVING));
        Files.writeString(karafBase().resolve("routes/itest-dicom-ai.yaml"), """
                - route:
                    id: itest-dicom-ai
                    from:
                      uri: direct:itest-dicom-ai
                      steps:
                        - to: carebus:infer?model=chest-nodule-demo
                        - to: carebus:explain
                        - to: carebus:fhir-results
                        - to: carebus:ehr
                """);
        await("itest-dicom-ai route", Duration.ofSeconds(30), () -> camel.getRoute("itest-dicom-ai") != null);
        String study = uid();
        Path slice = chestSlice(Files.createTempDirectory("dicom-ai"), study);
        org.apache.camel.Exchange done = camel.createProducerTemplate().request("direct:itest-dicom-ai", e -> {
            e.getMessage().setBody("{}");
            e.getMessage().setHeader("CareBusDicomFile", slice);
            e.getMessage().setHeader("CareBusDicomStudyUid", study);
            e.getMessage().setHeader("CareBusSubjectReference", "urn:carebus:dicom:patient-id|IT-PAT-2");
        });
        assertNull(String.valueOf(done.getException()), done.getException());
        assertEquals("PREDICTED", done.getMessage().getHeader("CareBusInferenceOutcome"));
        io.carebus.api.explain.Explanation why = done.getMessage().getHeader("CareBusExplanation", io.carebus.api.explain.Explanation.class);
        assertTrue(why.method(), why.method().startsWith("grad-cam"));
        assertTrue("overlay PNG", why.heatmap().overlayPng().length > 1000);
        // The nodule is found (the report's conclusion, below, puts the probability at or above the card's threshold)
        // and localised: the heatmap's hottest cell lies on the nodule at (300, 150), radius 24, of the 448² slice.
        io.carebus.api.explain.Explanation.Heatmap map = why.heatmap();
        double[] heat = map.values();
        int hottest = 0;
        for (int i = 1; i < heat.length; i++) {
            hottest = heat[i] > heat[hottest] ? i : hottest;
        }
        double cellWidth = 448.0 / map.columns();
        double cellHeight = 448.0 / map.rows();
        double cx = (hottest % map.columns() + 0.5) * cellWidth;
        double cy = (hottest / map.columns() + 0.5) * cellHeight;
        assertTrue("hottest cell at (" + cx + ", " + cy + ") of a " + map.rows() + "x" + map.columns() + " map",
                Math.hypot(cx - 300, cy - 150) <= 24 + 0.75 * Math.max(cellWidth, cellHeight));
        HttpResponse<String> reports = get("/fhir/DiagnosticReport?subject=urn:carebus:dicom:patient-id%7CIT-PAT-2", "admin", adminPassword());
        assertEquals(reports.body(), 200, reports.statusCode());
        assertTrue(reports.body(), reports.body().contains("\"DiagnosticReport\""));
        assertTrue(reports.body(), reports.body().contains("urn:oid:" + study));
        assertTrue(reports.body(), reports.body().contains("nodule probability"));
        assertTrue("the report's conclusion says the finding is at or above the threshold: " + reports.body(),
                reports.body().contains("(at or above "));
        HttpResponse<String> documents = get("/fhir/DocumentReference?subject=urn:carebus:dicom:patient-id%7CIT-PAT-2", "admin", adminPassword());
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("\"url\" *: *\"(Binary/cb-[0-9a-f]+)\"").matcher(documents.body());
        assertTrue(documents.body(), link.find());
        // The DocumentReference's link resolves: the Binary is the PNG overlay.
        HttpResponse<String> binary = get("/fhir/" + link.group(1), "admin", adminPassword());
        assertEquals(binary.body(), 200, binary.statusCode());
        assertTrue(binary.body(), binary.body().contains("\"contentType\"") && binary.body().contains("image/png"));
        assertTrue(binary.body(), java.util.regex.Pattern.compile("\"id\" *: *\"" + link.group(1).substring("Binary/".length()) + "\"")
                .matcher(binary.body()).find());
        // The PNG's bytes are there (base64 of the PNG signature).
        assertTrue(binary.body(), binary.body().contains("iVBORw0KGgo"));
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws Exception {
        attribute.addValue(value);
        list.put(attribute);
    }

    private static String uid() {
        return "2.25." + new java.math.BigInteger(1, UUID.randomUUID().toString().replace("-", "").getBytes(StandardCharsets.US_ASCII))
                .mod(java.math.BigInteger.TEN.pow(36));
    }

    private static String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TCP_NODELAY", "1");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return p.exitValue() + ":" + out;
    }

    @Test
    public void modalitiesStoreStudiesTheRoutesProcessAndTheArchiveReceives() throws Exception {
        String port = System.getProperty(DICOM_PORT);
        await("DICOM SCP listening", Duration.ofSeconds(60), () -> {
            try (Socket s = new Socket("127.0.0.1", Integer.parseInt(port))) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        String echo = run(List.of("echoscu", "-v", "-aec", "CAREBUS", "127.0.0.1", port));
        assertTrue(echo, echo.startsWith("0:") && echo.contains("Echo Response (Success)"));

        Path dir = Files.createTempDirectory("dicom-it");
        String study = uid();
        String series = uid();
        List<String> command = new ArrayList<>(List.of("storescu", "-v", "-aec", "CAREBUS", "127.0.0.1", port));
        for (int i = 0; i < 3; i++) {
            Path f = Files.write(dir.resolve("ct" + i + ".dcm"), ct(study, series));
            command.add(f.toString());
        }
        String stored = run(command);
        assertTrue(stored, stored.startsWith("0:") && stored.split("Store Response \\(Success\\)", -1).length == 4);

        // STOW-RS: one more instance of the same study over HTTP; credentials required
        String boundary = "itest-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(ct(study, series));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder stow = HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT)
                + "/dicomweb/studies/" + study)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        assertEquals(401, http(stow.build()).statusCode());
        HttpResponse<String> stowed = http(stow.header("Authorization", basic("admin", adminPassword())).build());
        assertEquals(stowed.body(), 200, stowed.statusCode());
        assertTrue(stowed.body(), stowed.body().contains("00081199"));

        // the shipped routes take each instance, then the study once quiet; then all four are PROCESSED
        await("4 DICOM instances processed", Duration.ofSeconds(60), () -> {
            try {
                String list = get("/api/messages?status=PROCESSED&limit=50", "admin", adminPassword()).body();
                return list.split("\"listener\" *: *\"dicom\"", -1).length - 1 >= 4;
            } catch (Exception e) {
                return false;
            }
        });

        // forwarding to the configured destination, by the shell's dicom commands as an operator would: down first
        // (queued, waits), then up (delivered once each)
        String destinations = runShell(shell, "carebus:dicom-destinations", "viewer");
        assertTrue(destinations, destinations.contains("archive"));
        String sent = runShell(shell, "carebus:dicom-send archive " + study, "engineer");
        assertTrue(sent, sent.contains("4 instance(s) queued for archive"));
        Path archive = Files.createDirectories(dir.resolve("archive"));
        Process storescp = new ProcessBuilder("storescp", "-aet", "ARCHIVE", "-od", archive.toString(), System.getProperty(ARCHIVE_PORT))
                .redirectErrorStream(true).start();
        try {
            await("the archive has the study", Duration.ofSeconds(60), () -> {
                try (Stream<Path> files = Files.list(archive)) {
                    return files.count() == 4 && forwarding.queueCounts("archive").get("SENT") == 4;
                } catch (IOException e) {
                    return false;
                }
            });
            String archiveEcho = runShell(shell, "carebus:dicom-echo archive", "engineer");
            assertTrue(archiveEcho, archiveEcho.startsWith("OK in "));
            // Sent already: queueing the study again adds nothing.
            String again = runShell(shell, "carebus:dicom-send archive " + study, "engineer");
            assertTrue(again, again.contains("0 instance(s) queued for archive"));
        } finally {
            storescp.destroy();
        }
        HttpResponse<String> health = get("/api/health", "admin", adminPassword());
        assertTrue(health.body(), health.body().contains("\"dicom\""));
    }
}
