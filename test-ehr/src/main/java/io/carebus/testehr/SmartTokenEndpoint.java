package io.carebus.testehr;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A SMART Backend Services token endpoint (client_credentials with a JWT client assertion) that checks the assertion
 * as an EHR does: signature against the registered JWKS, alg RS384/ES384, iss = sub = client id, aud = the token URL,
 * exp in the future and at most five minutes ahead, a jti never seen before. The tokens it issues are checked by
 * {@link #valid(String)} in front of the FHIR server. Shared by the JPA test EHR and the fault-injecting one.
 */
public final class SmartTokenEndpoint extends HttpServlet {

    public static final String CLIENT_ID = "carebus-test-client";
    private static final long serialVersionUID = 1L;

    public final AtomicInteger tokensIssued = new AtomicInteger();
    public final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
    private final transient Set<String> seenJti = ConcurrentHashMap.newKeySet();
    private final transient Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final transient AtomicReference<JWKSet> clientKeys = new AtomicReference<>(new JWKSet());
    private final transient Supplier<String> tokenUrl;
    private final transient LongSupplier clock;
    private volatile long lifetimeSeconds = 300;

    /** @param tokenUrl this endpoint's own URL, the audience an assertion must name */
    public SmartTokenEndpoint(Supplier<String> tokenUrl) {
        this(tokenUrl, System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds: token expiry and assertion exp are judged by it (a test can move it on) */
    public SmartTokenEndpoint(Supplier<String> tokenUrl, LongSupplier clock) {
        this.tokenUrl = tokenUrl;
        this.clock = clock;
    }

    /** Registers the client's public keys and the lifetime of the tokens issued from now on. */
    public void register(JWKSet keys, long tokenLifetimeSeconds) {
        clientKeys.set(keys);
        lifetimeSeconds = tokenLifetimeSeconds;
    }

    /** Whether this Authorization header carries a token this endpoint issued and that has not expired. */
    public boolean valid(String authorization) {
        Long expires = authorization != null && authorization.startsWith("Bearer ") ? tokens.get(authorization.substring(7)) : null;
        return expires != null && expires >= clock.getAsLong();
    }

    /** Every token issued so far stops working (an EHR revoking them; the client must fetch a new one). */
    public void revokeAll() {
        tokens.clear();
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, String> form = new HashMap<>();
        for (String pair : new String(req.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String refusal = check(form);
        resp.setContentType("application/json");
        if (refusal != null) {
            refusals.add(refusal);
            resp.setStatus(400);
            resp.getWriter().write("{\"error\":\"invalid_client\",\"error_description\":\"" + refusal.replace("\"", "'") + "\"}");
            return;
        }
        String token = UUID.randomUUID().toString();
        long lifetime = lifetimeSeconds;
        tokens.put(token, clock.getAsLong() + lifetime * 1000);
        tokensIssued.incrementAndGet();
        resp.setStatus(200);
        resp.getWriter().write("{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"expires_in\":" + lifetime
                + ",\"scope\":\"" + form.getOrDefault("scope", "").replace("\"", "") + "\"}");
    }

    private String check(Map<String, String> form) {
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return "grant_type must be client_credentials";
        }
        if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
            return "wrong client_assertion_type";
        }
        try {
            SignedJWT jwt = SignedJWT.parse(form.get("client_assertion"));
            String alg = jwt.getHeader().getAlgorithm().getName();
            if (!Set.of("RS384", "ES384").contains(alg)) {
                return "alg " + alg + " not accepted";
            }
            JWK key = clientKeys.get().getKeyByKeyId(jwt.getHeader().getKeyID());
            if (key == null) {
                return "unknown kid " + jwt.getHeader().getKeyID();
            }
            JWSVerifier verifier = key instanceof ECKey ec ? new ECDSAVerifier(ec) : new RSASSAVerifier((RSAKey) key);
            if (!jwt.verify(verifier)) {
                return "bad signature";
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!CLIENT_ID.equals(claims.getIssuer()) || !CLIENT_ID.equals(claims.getSubject())) {
                return "iss and sub must be the client id";
            }
            if (!claims.getAudience().contains(tokenUrl.get())) {
                return "aud must be the token URL";
            }
            Date exp = claims.getExpirationTime();
            long now = clock.getAsLong();
            if (exp == null || exp.getTime() < now || exp.getTime() > now + 5 * 60_000 + 5_000) {
                return "exp missing, past, or more than five minutes ahead";
            }
            if (claims.getJWTID() == null || !seenJti.add(claims.getJWTID())) {
                return "jti missing or replayed";
            }
            return null;
        } catch (Exception e) {
            return "unreadable assertion: " + e.getMessage();
        }
    }
}
