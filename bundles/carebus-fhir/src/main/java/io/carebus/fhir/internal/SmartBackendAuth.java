package io.carebus.fhir.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMART Backend Services (SMART App Launch 2.x, "client-confidential-asymmetric"): a client_credentials token request
 * authenticated by a JWT the engine signs (iss = sub = client id, aud = token URL, exp within five minutes, a fresh
 * jti each time), the access token cached and fetched anew shortly before it expires or when the EHR answers 401.
 */
final class SmartBackendAuth implements EhrAuth {

    private static final Logger LOG = LoggerFactory.getLogger(SmartBackendAuth.class);
    static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** A token is renewed this long before it expires (or at half its life, when that is shorter). */
    private static final Duration RENEW_MARGIN = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI tokenUrl;
    private final String clientId;
    private final String scope;
    private final SmartKey key;
    private final String jku;
    private final Clock clock;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();

    private String token;
    private Instant renewAt = Instant.MIN;
    private volatile long lastRoundTripMicros = -1;
    private volatile long tokensFetched;

    SmartBackendAuth(HttpClient http, URI tokenUrl, String clientId, String scope, SmartKey key, String jku, Clock clock, Duration timeout) {
        this.http = http;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.scope = scope;
        this.key = key;
        this.jku = jku == null || jku.isBlank() ? null : jku;
        this.clock = clock;
        this.timeout = timeout;
    }

    @Override
    public synchronized String authorization() throws IOException, AuthException {
        if (token == null || !clock.instant().isBefore(renewAt)) {
            fetch();
        }
        return "Bearer " + token;
    }

    @Override
    public synchronized void invalidate() {
        token = null;
    }

    long lastRoundTripMicros() {
        return lastRoundTripMicros;
    }

    long tokensFetched() {
        return tokensFetched;
    }

    SmartKey key() {
        return key;
    }

    /** The signed client assertion for one token request. */
    String assertion() throws AuthException {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(clientId).subject(clientId).audience(tokenUrl.toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(4))))
                .jwtID(UUID.randomUUID().toString())
                .build();
        JWSHeader.Builder header = new JWSHeader.Builder(key.algorithm()).keyID(key.kid()).type(JOSEObjectType.JWT);
        if (jku != null) {
            header.jwkURL(URI.create(jku));
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new AuthException(0, "could not sign the client assertion with " + key + ": " + e.getMessage());
        }
        return jwt.serialize();
    }

    private void fetch() throws IOException, AuthException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "client_credentials");
        if (!scope.isBlank()) {
            form.put("scope", scope);
        }
        form.put("client_assertion_type", ASSERTION_TYPE);
        form.put("client_assertion", assertion());
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(tokenUrl).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + tokenUrl + " for a token", e);
        }
        lastRoundTripMicros = (System.nanoTime() - start) / 1000;
        if (response.statusCode() != 200) {
            throw new AuthException(response.statusCode(), "token endpoint answered " + response.statusCode() + ": "
                    + FhirIntake.clean(response.body()));
        }
        JsonNode answer;
        try {
            answer = json.readTree(response.body());
        } catch (IOException e) {
            throw new AuthException(response.statusCode(), "token endpoint answered no JSON");
        }
        String accessToken = answer.path("access_token").asText("");
        if (accessToken.isEmpty()) {
            throw new AuthException(response.statusCode(), "token endpoint answered without access_token");
        }
        long expiresIn = answer.path("expires_in").asLong(300);
        Duration margin = Duration.ofSeconds(Math.min(RENEW_MARGIN.toSeconds(), expiresIn / 2));
        token = accessToken;
        renewAt = clock.instant().plusSeconds(expiresIn).minus(margin);
        tokensFetched++;
        LOG.debug("SMART token for client {} from {} valid {} s, fetched in {} us", clientId, tokenUrl, expiresIn, lastRoundTripMicros);
    }
}
