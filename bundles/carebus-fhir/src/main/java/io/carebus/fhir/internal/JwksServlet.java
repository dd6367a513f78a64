package io.carebus.fhir.internal;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * {@code GET /api/.well-known/jwks.json}: the public keys this engine signs SMART client assertions with, one per
 * {@code kid}, for EHRs that fetch them from a JKU (as Epic does) instead of having them registered. Open: they are
 * public keys. An exact servlet pattern, so it wins over the console's {@code /api/*}.
 */
@Component(service = Servlet.class, property = {
        "osgi.http.whiteboard.servlet.pattern=/api/.well-known/jwks.json",
        "osgi.http.whiteboard.servlet.name=carebus-jwks"})
public class JwksServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private final transient List<EhrEndpoint> endpoints = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEndpoint(EhrEndpoint endpoint) {
        endpoints.add(endpoint);
    }

    void removeEndpoint(EhrEndpoint endpoint) {
        endpoints.remove(endpoint);
    }

    /** The JWKS document of the given endpoints' keys. */
    static String jwks(List<EhrEndpoint> endpoints) {
        Map<String, JWK> byKid = new LinkedHashMap<>();
        for (EhrEndpoint endpoint : endpoints) {
            endpoint.smartKey().ifPresent(k -> byKid.putIfAbsent(k.kid(), k.publicJwk()));
        }
        return new JWKSet(List.copyOf(byKid.values())).toString(true);
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "max-age=300");
        resp.getOutputStream().write(jwks(endpoints).getBytes(StandardCharsets.UTF_8));
    }
}
