package io.carebus.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import io.carebus.fhir.ResultResources;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import javax.inject.Inject;
import org.apache.karaf.features.BootFinished;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The appliance end to end: a FHIR Observation posted to /fhir is validated and stored, the shipped route relays it
 * through the outbox, and it reaches a real HAPI FHIR server (running in the Maven JVM) behind a SMART Backend
 * Services token endpoint, carrying the engine identifier; invalid input is refused with an OperationOutcome.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FhirIntakeIT extends CareBusTestSupport {

    static final String EHR_BASE = "carebus.itest.ehr.base";
    @Inject
    protected BootFinished bootFinished;

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Option[] base = super.config();
        try {
            TestEhr.Started ehr = TestEhr.start(Path.of("target/fhir-it").toAbsolutePath());
            String cfg = "etc/io.carebus.ehr-test.cfg";
            Option[] extra = {
                systemProperty(EHR_BASE).value(ehr.baseUrl()),
                replaceConfigurationFile("etc/carebus-smart.p12", ehr.keyStore().toFile()),
                editConfigurationFilePut(cfg, "base.url", ehr.baseUrl()),
                editConfigurationFilePut(cfg, "auth", "smart"),
                editConfigurationFilePut(cfg, "smart.token.url", ehr.tokenUrl()),
                editConfigurationFilePut(cfg, "smart.client.id", "carebus-test-client"),
                editConfigurationFilePut(cfg, "smart.scope", "system/Observation.write"),
                editConfigurationFilePut(cfg, "smart.key.store", "carebus-smart.p12"),
                editConfigurationFilePut(cfg, "smart.key.store.password", "carebus-test"),
            };
            return plus(base, extra);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test EHR", e);
        }
    }

    private HttpResponse<String> post(String path, String body, String contentType) throws Exception {
        return http(HttpRequest.newBuilder(URI.create("http://localhost:" + System.getProperty(HTTP_PORT) + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", basic("admin", adminPassword()))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    public void aPostedObservationIsStoredAndReachesTheEhrOnceWithTheEngineIdentifier() throws Exception {
        String observation = """
                {"resourceType":"Observation","status":"final",
                 "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
                 "subject":{"reference":"Patient/it-1"},"effectiveDateTime":"2026-11-28T09:00:00Z",
                 "valueQuantity":{"value":97,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}""";
        // The validator loads the R4 definitions at start; the first post may wait for that.
        HttpResponse<String> answer = post("/fhir/Observation", observation, "application/fhir+json");
        assertEquals(answer.body(), 202, answer.statusCode());
        assertTrue(answer.body(), answer.body().contains("stored as message"));
        String message = answer.headers().firstValue("Content-Location").orElseThrow();

        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(observation.getBytes(StandardCharsets.UTF_8)));
        String identifier = "urn:carebus:carebus-1|" + ResultResources.stableValue("relay", sha, "1", "Observation");
        String search = System.getProperty(EHR_BASE) + "/Observation?identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8);
        await("the Observation at the EHR", Duration.ofSeconds(60), () -> {
            try {
                HttpResponse<String> found = http(HttpRequest.newBuilder(URI.create(search)).GET().build());
                return found.statusCode() == 200 && found.body().contains("\"total\": 1") || found.body().contains("\"total\":1");
            } catch (Exception e) {
                return false;
            }
        });
        String password = adminPassword();
        await("message processed", Duration.ofSeconds(30), () -> {
            try {
                return get("/api" + message.substring("/api".length()), "admin", password).body().contains("PROCESSED");
            } catch (Exception e) {
                return false;
            }
        });
        HttpResponse<String> outbox = get("/api/outbox?status=DELIVERED", "admin", password);
        assertTrue(outbox.body(), outbox.body().contains("\"ehr\" : \"test\"") && outbox.body().contains(identifier));
        // The same bytes again (a client resending): the outbox recognises the result, the EHR gets no second copy.
        HttpResponse<String> resent = post("/fhir/Observation", observation, "application/fhir+json");
        assertEquals(202, resent.statusCode());
        String second = resent.headers().firstValue("Content-Location").orElseThrow();
        await("the resent message processed", Duration.ofSeconds(30), () -> {
            try {
                return get("/api" + second.substring("/api".length()), "admin", password).body().contains("PROCESSED");
            } catch (Exception e) {
                return false;
            }
        });
        HttpResponse<String> entries = get("/api/outbox?ehr=test", "admin", password);
        assertEquals(entries.body(), 1, entries.body().split("\"identifier\"", -1).length - 1);
        HttpResponse<String> again = http(HttpRequest.newBuilder(URI.create(search)).GET().build());
        assertTrue(again.body(), again.body().contains("\"total\": 1") || again.body().contains("\"total\":1"));
        // Readable on the appliance as well.
        HttpResponse<String> local = get("/fhir/Observation?code=http://loinc.org%7C8867-4", "admin", password);
        assertEquals(local.body(), 200, local.statusCode());
        assertTrue(local.body(), local.body().contains(identifier.substring(identifier.indexOf('|') + 1)));
        // The engine publishes the key the EHR verified its assertions with.
        HttpResponse<String> jwks = get("/api/.well-known/jwks.json");
        assertEquals(200, jwks.statusCode());
        assertTrue(jwks.body(), jwks.body().contains("\"P-384\""));
    }

    @Test
    public void invalidFhirIsRefusedWithAnOperationOutcome() throws Exception {
        HttpResponse<String> missingCode = post("/fhir", "{\"resourceType\":\"Observation\",\"status\":\"final\"}", "application/fhir+json");
        assertEquals(missingCode.body(), 422, missingCode.statusCode());
        assertTrue(missingCode.body(), missingCode.body().contains("OperationOutcome") && missingCode.body().contains("Observation.code"));
        HttpResponse<String> broken = post("/fhir", "{\"resourceType\":", "application/fhir+json");
        assertEquals(400, broken.statusCode());
        HttpResponse<String> anonymous = get("/fhir/Observation");
        assertEquals(401, anonymous.statusCode());
    }
}
