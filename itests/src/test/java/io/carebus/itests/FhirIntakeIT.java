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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * through the outbox, and it reaches a real FHIR server, HAPI FHIR's JPA server on H2 (its own process, see
 * {@link TestEhr}), behind a SMART Backend Services token endpoint, carrying the engine identifier, exactly once: counted
 * by the server's own search and version history, not by the identifier the engine computes. Invalid input is refused
 * with an OperationOutcome.
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
        // Found by what the client sent (its code; this test EHR holds nothing else), not by what the engine computed.
        String byContent = System.getProperty(EHR_BASE) + "/Observation?code=" + URLEncoder.encode("http://loinc.org|8867-4", StandardCharsets.UTF_8);
        // 120 s: the outbox backs off while the JPA test EHR (its own process) is still starting on a loaded machine
        await("the Observation at the EHR", Duration.ofSeconds(120), () -> {
            try {
                HttpResponse<String> found = ehr(byContent);
                // Parenthesised: only a 200 searchset counts, never an error body that happens to say "total".
                return found.statusCode() == 200 && total(found.body()) >= 1;
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
        // Exactly once at the EHR, by its own books: one Observation for what was sent, one with the engine identifier,
        // and one version of one resource in the server's whole Observation history (a duplicate create or a second
        // write of the same resource would each add one).
        HttpResponse<String> again = ehr(byContent);
        assertEquals(again.body(), 200, again.statusCode());
        assertEquals(again.body(), 1, total(again.body()));
        HttpResponse<String> byIdentifier = ehr(search);
        assertEquals(byIdentifier.body(), 200, byIdentifier.statusCode());
        assertEquals(byIdentifier.body(), 1, total(byIdentifier.body()));
        HttpResponse<String> history = ehr(System.getProperty(EHR_BASE) + "/Observation/_history");
        assertEquals(history.body(), 200, history.statusCode());
        assertEquals(history.body(), 1, total(history.body()));
        assertEquals(history.body(), List.of("1"), versionIds(history.body()));
        // Readable on the appliance as well.
        HttpResponse<String> local = get("/fhir/Observation?code=http://loinc.org%7C8867-4", "admin", password);
        assertEquals(local.body(), 200, local.statusCode());
        assertTrue(local.body(), local.body().contains(identifier.substring(identifier.indexOf('|') + 1)));
        // The engine publishes the key the EHR verified its assertions with.
        HttpResponse<String> jwks = get("/api/.well-known/jwks.json");
        assertEquals(200, jwks.statusCode());
        assertTrue(jwks.body(), jwks.body().contains("\"P-384\""));
    }

    private HttpResponse<String> ehr(String url) throws Exception {
        return http(HttpRequest.newBuilder(URI.create(url + (url.contains("?") ? "&" : "?") + "_pretty=false"))
                .header("Accept", "application/fhir+json").GET().build());
    }

    /** Bundle.total of a searchset or history Bundle; an answer without one fails the test. */
    static int total(String bundle) {
        Matcher m = Pattern.compile("\"total\"\\s*:\\s*(\\d+)").matcher(bundle);
        if (!m.find()) {
            throw new AssertionError("no Bundle.total in " + bundle);
        }
        return Integer.parseInt(m.group(1));
    }

    static List<String> versionIds(String bundle) {
        Matcher m = Pattern.compile("\"versionId\"\\s*:\\s*\"([^\"]+)\"").matcher(bundle);
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
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
