package io.carebus.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The appliance's HTTP side as the feed uses it: FHIR intake, the result searches, health. Basic authentication. */
public final class ApplianceHttp {

    /** An answer: the status and, when it was JSON, the parsed body (else null). */
    public record Answer(int status, JsonNode json, String text) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String base;
    private final String authorization;

    public ApplianceHttp(String host, int port, String user, String password) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        this.base = "http://" + host + ":" + port;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public Answer get(String path, boolean authenticated) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/fhir+json, application/json");
        if (authenticated) {
            r.header("Authorization", authorization);
        }
        return answer(client.send(r.GET().build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** POSTs a Bundle to {@code /fhir}; the engine answers 202 once it is stored. */
    public Answer postBundle(String json) throws IOException, InterruptedException {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/fhir")).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build();
        return answer(client.send(r, HttpResponse.BodyHandlers.ofString()));
    }

    /** {@code GET /fhir/<type>?subject.identifier=<mrn>&_count=1000}: everything the patient has. */
    public Answer searchBySubject(String resourceType, String mrn) throws IOException, InterruptedException {
        return searchBySubject(resourceType, mrn, 1000);
    }

    /**
     * {@code GET /fhir/<type>?subject.identifier=urn:oid:<MRN_OID>|<mrn>&_count=<count>}: the newest {@code count}
     * (newest first). With the system the engine looks the subject up by its index; a bare value has to be matched
     * against every stored subject, which grows with the results kept.
     */
    public Answer searchBySubject(String resourceType, String mrn, int count) throws IOException, InterruptedException {
        String identifier = "urn:oid:" + DemoPatient.MRN_OID + "|" + mrn;
        return get("/fhir/" + resourceType + "?subject.identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8) + "&_count=" + count, true);
    }

    private static Answer answer(HttpResponse<String> response) {
        JsonNode json = null;
        String body = response.body();
        if (body != null && !body.isBlank() && (body.startsWith("{") || body.startsWith("["))) {
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                json = null;
            }
        }
        return new Answer(response.statusCode(), json, body);
    }

    /** The diagnostics or issue codes of an OperationOutcome (no resource content), for messages. */
    public static String outcomeSummary(Answer a) {
        if (a.json() == null || !"OperationOutcome".equals(a.json().path("resourceType").asText())) {
            return "HTTP " + a.status();
        }
        StringBuilder s = new StringBuilder("HTTP " + a.status());
        for (JsonNode issue : a.json().path("issue")) {
            s.append("; ").append(issue.path("severity").asText()).append(' ').append(issue.path("code").asText());
            String d = issue.path("diagnostics").asText("");
            if (!d.isEmpty()) {
                s.append(": ").append(d.length() > 200 ? d.substring(0, 200) + "..." : d);
            }
        }
        return s.toString();
    }
}
