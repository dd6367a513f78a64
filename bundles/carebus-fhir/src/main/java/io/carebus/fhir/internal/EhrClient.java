package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The HTTP side of one EHR: reads its CapabilityStatement and writes one result the way {@link Capabilities.WriteMode}
 * says. Plain {@code java.net.http}: the sender needs every status code and the Retry-After header, which HAPI's
 * generic client turns into exceptions.
 */
final class EhrClient {

    /** What happened to one write. */
    record Result(Kind kind, Integer httpStatus, String location, String outcome, Duration retryAfter) {
        enum Kind { DELIVERED, RETRY, DEAD }

        static Result retry(Integer status, String outcome, Duration retryAfter) {
            return new Result(Kind.RETRY, status, null, outcome, retryAfter);
        }
    }

    private static final String FHIR_JSON = "application/fhir+json";
    /** Identifier system of outbox entries written by PUT to their own id (types without an identifier element). */
    static final String BY_ID = "_id";

    private final HttpClient http;
    private final String base;
    private final EhrAuth auth;
    private final FhirContext fhir;
    private final Clock clock;
    private final Duration timeout;

    EhrClient(HttpClient http, String baseUrl, EhrAuth auth, FhirContext fhir, Clock clock, Duration timeout) {
        this.http = http;
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.auth = auth;
        this.fhir = fhir;
        this.clock = clock;
        this.timeout = timeout;
    }

    String base() {
        return base;
    }

    /** GET [base]/metadata. */
    Capabilities capabilities() throws IOException, EhrAuth.AuthException {
        HttpResponse<String> response = send(request(URI.create(base + "/metadata")).GET().build());
        if (response.statusCode() != 200) {
            throw new IOException("GET metadata answered " + response.statusCode());
        }
        CapabilityStatement statement = FhirValidation.withHapiLoader(() ->
                fhir.newJsonParser().parseResource(CapabilityStatement.class, response.body()));
        return Capabilities.of(statement);
    }

    Result write(JdbcOutbox.Due entry, Capabilities.WriteMode mode) {
        String type = entry.resourceType();
        String identifier = entry.identifierSystem() + "|" + entry.identifierValue();
        String query = "identifier=" + URLEncoder.encode(identifier, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> response;
            if (BY_ID.equals(entry.identifierSystem())) {
                // Update as create: the same id twice is the same resource.
                return classify(send(request(URI.create(base + "/" + type + "/" + URLEncoder.encode(entry.identifierValue(),
                        StandardCharsets.UTF_8))).header("Content-Type", FHIR_JSON + "; charset=UTF-8").header("Prefer", "return=minimal")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(entry.body())).build()));
            }
            switch (mode) {
                case CONDITIONAL_CREATE -> response = send(request(URI.create(base + "/" + type))
                        .header("Content-Type", FHIR_JSON + "; charset=UTF-8").header("If-None-Exist", query)
                        .header("Prefer", "return=minimal").POST(HttpRequest.BodyPublishers.ofByteArray(entry.body())).build());
                case CONDITIONAL_UPDATE -> response = send(request(URI.create(base + "/" + type + "?" + query))
                        .header("Content-Type", FHIR_JSON + "; charset=UTF-8").header("Prefer", "return=minimal")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(entry.body())).build());
                case SEARCH_THEN_CREATE -> {
                    // no-cache: a server may answer a repeated search from its cache (HAPI's JPA server does, for 60 s by
                    // default), which would still say "not there" after our own earlier create, and we would create twice.
                    HttpResponse<String> found = send(request(URI.create(base + "/" + type + "?" + query)).header("Cache-Control", "no-cache")
                            .GET().build());
                    if (found.statusCode() == 200) {
                        Optional<String> existing = firstMatch(found.body(), type);
                        if (existing.isPresent()) {
                            return new Result(Result.Kind.DELIVERED, 200, existing.get(), "already at the EHR (found by identifier)", null);
                        }
                    } else {
                        return classify(found);
                    }
                    response = send(request(URI.create(base + "/" + type)).header("Content-Type", FHIR_JSON + "; charset=UTF-8")
                            .header("Prefer", "return=minimal").POST(HttpRequest.BodyPublishers.ofByteArray(entry.body())).build());
                }
                default -> response = send(request(URI.create(base + "/" + type)).header("Content-Type", FHIR_JSON + "; charset=UTF-8")
                        .header("Prefer", "return=minimal").POST(HttpRequest.BodyPublishers.ofByteArray(entry.body())).build());
            }
            return classify(response);
        } catch (EhrAuth.AuthException e) {
            return Result.retry(e.status() == 0 ? null : e.status(), "no access token: " + e.getMessage(), null);
        } catch (java.net.http.HttpTimeoutException e) {
            return Result.retry(null, "timed out after " + timeout.toSeconds() + " s", null);
        } catch (IOException e) {
            return Result.retry(null, "connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + FhirIntake.clean(e.getMessage())), null);
        }
    }

    private Result classify(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            String location = response.headers().firstValue("Location")
                    .or(() -> response.headers().firstValue("Content-Location")).orElse(null);
            return new Result(Result.Kind.DELIVERED, status, location, status == 200 ? "accepted (already there or updated)" : "created", null);
        }
        String outcome = outcomeText(response);
        if (status == 401) {
            auth.invalidate();
            return Result.retry(status, "401: " + outcome, null);
        }
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            return Result.retry(status, status + ": " + outcome, retryAfter(response).orElse(null));
        }
        return new Result(Result.Kind.DEAD, status, null, status + ": " + outcome, null);
    }

    /** The OperationOutcome's diagnostics/text when the body is one, else the start of the body. */
    private String outcomeText(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        try {
            OperationOutcome outcome = FhirValidation.withHapiLoader(() -> fhir.newJsonParser().parseResource(OperationOutcome.class, body));
            StringBuilder text = new StringBuilder();
            for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
                if (!text.isEmpty()) {
                    text.append("; ");
                }
                text.append(issue.getSeverity() == null ? "" : issue.getSeverity().toCode() + " ")
                        .append(issue.getCode() == null ? "" : issue.getCode().toCode() + ": ")
                        .append(issue.hasDiagnostics() ? issue.getDiagnostics() : issue.getDetails().getText());
            }
            return text.isEmpty() ? "OperationOutcome without issues" : text.toString();
        } catch (RuntimeException e) {
            return FhirIntake.clean(body);
        }
    }

    /** Retry-After as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3). */
    Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> value = response.headers().firstValue("Retry-After").map(String::strip);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.get()))));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(Duration.between(clock.instant(), at).isNegative() ? Duration.ZERO : Duration.between(clock.instant(), at));
            } catch (DateTimeParseException ignored) {
                return Optional.empty();
            }
        }
    }

    private Optional<String> firstMatch(String searchset, String type) {
        try {
            Bundle bundle = FhirValidation.withHapiLoader(() -> fhir.newJsonParser().parseResource(Bundle.class, searchset));
            return bundle.getEntry().stream().filter(e -> e.getResource() != null && type.equals(e.getResource().fhirType()))
                    .map(e -> e.hasFullUrl() ? e.getFullUrl() : type + "/" + e.getResource().getIdElement().getIdPart())
                    .findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private HttpRequest.Builder request(URI uri) throws IOException, EhrAuth.AuthException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", FHIR_JSON);
        String authorization = auth.authorization();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
