package io.carebus.audit.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.carebus.audit.AuditEntry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends audit records as FHIR R4 AuditEvents (IHE BALP shape, see {@link AuditEventMapper}). Each event is written
 * with PUT to an id made of the node and the chain sequence number, so a batch sent twice (after a crash or a lost
 * answer) updates the same resources instead of duplicating them. Events go in batch Bundles; an event the server
 * refuses with a 4xx is logged with the server's OperationOutcome and skipped (its record stays in the trail), while
 * 5xx, 429 or a transport failure make the whole batch go again later.
 */
final class FhirAuditSink implements ExportSink {

    private static final Logger LOG = LoggerFactory.getLogger(FhirAuditSink.class);
    private static final String FHIR_JSON = "application/fhir+json";

    private final FhirContext fhir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;
    private final int batchSize;
    private final String idPrefix;

    FhirAuditSink(FhirContext fhir, String baseUrl, String auth, String user, String secret, int batchSize, String nodeId) {
        if (baseUrl.isBlank()) {
            throw new IllegalArgumentException("fhir.base.url is required when fhir.enabled = true");
        }
        this.fhir = fhir;
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.authorization = switch (auth.toLowerCase(Locale.ROOT)) {
            case "none", "" -> null;
            case "basic" -> "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
            case "bearer" -> "Bearer " + secret;
            default -> throw new IllegalArgumentException("fhir.auth must be none, basic or bearer, was " + auth);
        };
        this.batchSize = Math.max(1, batchSize);
        this.idPrefix = "carebus-" + nodeId.replaceAll("[^A-Za-z0-9.-]", "-");
    }

    @Override
    public String destination() {
        return "fhir:" + base;
    }

    /** The resource id an entry gets on the server: at most 64 characters of [A-Za-z0-9.-]. */
    String resourceId(AuditEntry entry) {
        String seq = "-" + entry.seq();
        String prefix = idPrefix.length() + seq.length() > 64 ? idPrefix.substring(0, 64 - seq.length()) : idPrefix;
        return prefix + seq;
    }

    @Override
    public int send(List<AuditEntry> entries) throws IOException, InterruptedException {
        int refused = 0;
        for (int from = 0; from < entries.size(); from += batchSize) {
            refused += sendBatch(entries.subList(from, Math.min(entries.size(), from + batchSize)));
        }
        return refused;
    }

    private int sendBatch(List<AuditEntry> entries) throws IOException, InterruptedException {
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        for (AuditEntry entry : entries) {
            AuditEvent event = AuditEventMapper.map(entry);
            event.setId(resourceId(entry));
            batch.addEntry().setResource(event).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("AuditEvent/" + event.getIdPart());
        }
        IParser json = fhir.newJsonParser();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", FHIR_JSON + "; charset=utf-8").header("Accept", FHIR_JSON)
                .POST(HttpRequest.BodyPublishers.ofString(json.encodeResourceToString(batch), StandardCharsets.UTF_8));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new RetryableSendException("FHIR server answered " + status + " to the AuditEvent batch" + outcomeText(response.body()),
                    response.headers().firstValue("Retry-After").map(FhirAuditSink::retryAfterSeconds).orElse(-1L));
        }
        Bundle answer = json.parseResource(Bundle.class, response.body());
        if (answer.getEntry().size() != entries.size()) {
            throw new RetryableSendException("FHIR server answered the batch of " + entries.size() + " with "
                    + answer.getEntry().size() + " entries", -1);
        }
        int refused = 0;
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryResponseComponent r = answer.getEntry().get(i).getResponse();
            String code = r.getStatus() == null ? "" : r.getStatus().trim();
            if (code.startsWith("2")) {
                continue;
            }
            if (code.startsWith("4") && !code.startsWith("429")) {
                refused++;
                LOG.error("FHIR server refused the AuditEvent of audit record {}: {}{}", entries.get(i).seq(), code,
                        r.getOutcome() instanceof OperationOutcome oo ? " " + diagnostics(oo) : "");
            } else {
                throw new RetryableSendException("FHIR server answered " + code + " for the AuditEvent of audit record "
                        + entries.get(i).seq(), -1);
            }
        }
        return refused;
    }

    private String outcomeText(String body) {
        try {
            return body == null || body.isBlank() ? "" : ": " + diagnostics(fhir.newJsonParser().parseResource(OperationOutcome.class, body));
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String diagnostics(OperationOutcome outcome) {
        return outcome.getIssue().stream().map(i -> i.getSeverity() + " " + i.getCode() + " " + i.getDiagnostics())
                .reduce((a, b) -> a + "; " + b).orElse("");
    }

    private static long retryAfterSeconds(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1; // an HTTP-date: fall back to our own backoff
        }
    }

    @Override
    public void close() {
        // Java 17's HttpClient has no close; its selector thread ends once the client is unreachable.
    }
}
