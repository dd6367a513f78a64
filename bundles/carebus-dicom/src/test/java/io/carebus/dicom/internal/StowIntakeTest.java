package io.carebus.dicom.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carebus.dicom.testing.TestImages;
import io.carebus.fhir.testing.Configs;
import io.carebus.store.CloseableMessageStore;
import io.carebus.store.MessageStores;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STOW-RS: what is stored is listed as referenced, what is not as failed with its reason; same store as the SCP. */
class StowIntakeTest {

    @TempDir
    Path dir;

    private CloseableMessageStore store;
    private DicomGateway gateway;
    private StowIntake stow;
    private final List<Long> stored = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        store = MessageStores.openEmbedded(dir.resolve("store"), Duration.ofHours(1));
        gateway = new DicomGateway(Configs.of(DicomConfig.class, GatewayConfigs.unaudited(Map.of("enabled", false, "storage_dir", dir.resolve("dicom").toString(),
                "min_free_mb", 1L))), store, store.database(), (id, study) -> stored.add(id));
        stow = new StowIntake(gateway.instances(), gateway.policy());
    }

    @AfterEach
    void stop() throws Exception {
        gateway.deactivate();
        store.close();
    }

    private static byte[] multipart(String boundary, List<byte[]> files, String partType) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] file : files) {
            body.writeBytes(("--" + boundary + "\r\nContent-Type: " + partType + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(file);
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    private Path spooled(byte[] body) throws java.io.IOException {
        return Files.write(Files.createTempFile(dir, "stow", ".body"), body);
    }

    @Test
    void storedAndFailedInstancesAreListedWithReasons() throws Exception {
        List<Path> series = TestImages.ctSeries(dir, 2, 32);
        Path plan = TestImages.write(TestImages.Spec.ct(TestImages.uid(), TestImages.uid(), 8, (x, y) -> 0)
                .withSopClass(TestImages.RT_PLAN), dir.resolve("plan.dcm"));
        byte[] body = multipart("b0undary", List.of(Files.readAllBytes(series.get(0)), Files.readAllBytes(series.get(1)),
                Files.readAllBytes(plan), "not dicom".getBytes(StandardCharsets.US_ASCII)), "application/dicom");
        StowIntake.Answer answer = stow.handle(spooled(body), "multipart/related; type=\"application/dicom\"; boundary=b0undary",
                "127.0.0.1", "engineer", null);
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.contentType()).isEqualTo("application/dicom+json");
        JsonNode json = new ObjectMapper().readTree(answer.body());
        assertThat(json.path("00081199").path("Value")).hasSize(2);
        JsonNode failed = json.path("00081198").path("Value");
        assertThat(failed).hasSize(2);
        assertThat(failed.get(0).path("00081150").path("Value").get(0).asText()).isEqualTo(TestImages.RT_PLAN);
        assertThat(failed.get(0).path("00081197").path("Value").get(0).asInt()).isEqualTo(0x0122);
        assertThat(failed.get(1).path("00081197").path("Value").get(0).asInt()).isEqualTo(0xC000);
        assertThat(stored).hasSize(2);
        assertThat(gateway.instance(stored.get(0)).orElseThrow().file()).exists();
        assertThat(gateway.instance(stored.get(0)).orElseThrow().callingAe()).isEqualTo("STOW:engineer");
    }

    @Test
    void aStudyInThePathMustMatchAndBadRequestsAreRefused() throws Exception {
        byte[] file = Files.readAllBytes(TestImages.ctSeries(dir, 1, 16).get(0));
        byte[] body = multipart("xyz", List.of(file), "application/dicom");
        assertThat(stow.handle(spooled(body), "multipart/related; type=application/dicom; boundary=xyz", "h", "u", "1.2.3").status())
                .isEqualTo(409);
        assertThat(stow.handle(spooled(body), "application/dicom", "h", "u", null).status()).isEqualTo(415);
        assertThat(stow.handle(spooled(body), "multipart/related; type=\"application/dicom+json\"; boundary=xyz", "h", "u", null).status())
                .isEqualTo(415);
        assertThat(stow.handle(spooled("garbage".getBytes(StandardCharsets.US_ASCII)), "multipart/related; boundary=xyz", "h", "u", null)
                .status()).isEqualTo(400);
        assertThat(stow.handle(spooled(body), "multipart/related; boundary=xyz", "h", "u", null).status()).isEqualTo(200);
        assertThat(stored).hasSize(1);
    }
}
