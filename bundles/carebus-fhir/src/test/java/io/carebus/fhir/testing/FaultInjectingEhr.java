package io.carebus.fhir.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.nimbusds.jose.jwk.JWKSet;
import io.carebus.testehr.SmartTokenEndpoint;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Device;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.RiskAssessment;

/**
 * An EHR for fault injection only: a HAPI FHIR plain server ({@link RestfulServer}) on Jetty over in-memory maps that
 * can answer the next requests with any status (429/5xx, with Retry-After as seconds or an HTTP date), be stopped and
 * started again on the same port (lost answers, outages), or refuse an Observation without code (422). Its
 * conditional-create and search logic is the test's own, so it proves nothing about exactly-once at a real server:
 * that is {@code io.carebus.testehr.TestEhrProcess} (HAPI FHIR's JPA server). What it does count, it counts for every
 * write: {@link #writes} per type, and a version per stored write, so a duplicate delivery shows as a second create
 * or a version 2. The token endpoint in front is the same SMART one as the real test EHR's ({@link SmartTokenEndpoint}).
 */
public final class FaultInjectingEhr implements AutoCloseable {

    public static final String CLIENT_ID = SmartTokenEndpoint.CLIENT_ID;

    private final FhirContext fhir;
    private final Map<String, Map<String, Resource>> store = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Writes that created something, per type (a duplicate would show as one more). */
    public final Map<String, AtomicInteger> creates = new ConcurrentHashMap<>();
    /** Every write that stored something (a create or a new version), per type. */
    public final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    public final AtomicInteger writeRequests = new AtomicInteger();
    /** Requests answered 401 because the bearer token was missing, unknown or expired. */
    public final AtomicInteger unauthorized = new AtomicInteger();
    public final AtomicInteger tokensIssued;
    public final List<String> tokenRefusals;
    private final SmartTokenEndpoint tokenEndpoint;
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile int failStatus = 503;
    private volatile String retryAfter;
    private volatile boolean requireToken;
    private volatile boolean anonymousReads;
    private final int port;
    private final Set<String> types;
    private Server jetty;

    private volatile String fhirVersion;

    public FaultInjectingEhr(FhirContext fhir) throws Exception {
        this(fhir, 0);
    }

    public FaultInjectingEhr(FhirContext fhir, int port) throws Exception {
        this(fhir, port, null);
    }

    /** @param types the resource types it serves (its CapabilityStatement lists only these); null = all result types */
    public FaultInjectingEhr(FhirContext fhir, int port, Set<String> types) throws Exception {
        this(fhir, port, types, System::currentTimeMillis);
    }

    /** @param clock epoch milliseconds by which tokens expire (a test moves it on instead of sleeping) */
    public FaultInjectingEhr(FhirContext fhir, int port, Set<String> types, java.util.function.LongSupplier clock) throws Exception {
        this.fhir = fhir;
        this.types = types;
        int[] bound = new int[1];
        this.tokenEndpoint = new SmartTokenEndpoint(() -> "http://127.0.0.1:" + bound[0] + "/oauth2/token", clock);
        this.tokensIssued = tokenEndpoint.tokensIssued;
        this.tokenRefusals = tokenEndpoint.refusals;
        start(port);
        this.port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
        bound[0] = this.port;
    }

    /** From now on the CapabilityStatement claims this FHIR version (e.g. "3.0.2", a DSTU3 server). */
    public void claimFhirVersion(String version) {
        this.fhirVersion = version;
    }

    /** Every token issued so far stops working: the next write with one gets 401. */
    public void revokeTokens() {
        tokenEndpoint.revokeAll();
    }

    /** How many times this resource (type/id) was written: its current version. */
    public int versionOf(String type, String id) {
        Resource r = store.getOrDefault(type, Map.of()).get(id);
        return r == null ? 0 : Integer.parseInt(r.getIdElement().getVersionIdPart());
    }

    public int writeCount(String type) {
        return writes.getOrDefault(type, new AtomicInteger()).get();
    }

    private void start(int onPort) throws Exception {
        RestfulServer server = new RestfulServer(fhir);
        List<IResourceProvider> providers = List.of(new Results<>(Observation.class), new Results<>(RiskAssessment.class),
                new Results<>(Condition.class), new Results<>(DiagnosticReport.class), new Results<>(Device.class),
                new Results<>(DocumentReference.class), new Results<>(Provenance.class));
        server.setResourceProviders(providers.stream()
                .filter(p -> types == null || types.contains(fhir.getResourceType(p.getResourceType()))).toList());
        server.registerInterceptor(new Gate());
        server.registerInterceptor(new VersionClaim());
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(onPort);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(server), "/tenant-a/fhir/r4/*");
        context.addServlet(new ServletHolder(tokenEndpoint), "/oauth2/token");
        jetty.setHandler(context);
        jetty.start();
    }

    /** Tenant in the path, as Oracle Health's base URLs have it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + "/tenant-a/fhir/r4";
    }

    public String tokenUrl() {
        return "http://127.0.0.1:" + port + "/oauth2/token";
    }

    /** From now on every FHIR request needs a bearer token from the token endpoint, checked against these keys. */
    public void requireSmart(JWKSet registeredClientKeys, long tokenLifetimeSeconds) {
        tokenEndpoint.register(registeredClientKeys, tokenLifetimeSeconds);
        this.requireToken = true;
    }

    /** Lets tests read (GET) without a token, to check what arrived; writes still need one. */
    public void allowAnonymousReads() {
        this.anonymousReads = true;
    }

    /** The next {@code n} FHIR requests get {@code status}, with Retry-After when given. */
    public void failNext(int n, int status, String retryAfterValue) {
        this.failStatus = status;
        this.retryAfter = retryAfterValue;
        failNext.set(n);
    }

    public void stop() throws Exception {
        jetty.stop();
    }

    /** Starts again on the same port; what was stored is kept (a restarted EHR keeps its data). */
    public void restart() throws Exception {
        start(port);
    }

    public List<Resource> stored(String type) {
        return List.copyOf(store.getOrDefault(type, Map.of()).values());
    }

    public int createCount(String type) {
        return creates.getOrDefault(type, new AtomicInteger()).get();
    }

    /** Identifier (system|value) to resource, per type: what a real server's index does. */
    private final Map<String, Map<String, Resource>> identifiers = new ConcurrentHashMap<>();

    private void index(Resource resource) {
        org.hl7.fhir.r4.model.Property p = resource.getNamedProperty("identifier");
        if (p != null) {
            for (org.hl7.fhir.r4.model.Base b : p.getValues()) {
                Identifier i = (Identifier) b;
                identifiers.computeIfAbsent(resource.fhirType(), t -> new ConcurrentHashMap<>()).put(i.getSystem() + "|" + i.getValue(), resource);
            }
        }
    }

    private List<Resource> byIdentifier(String type, String systemAndValue) {
        if (systemAndValue.indexOf('|') > 0) {
            Resource indexed = identifiers.getOrDefault(type, Map.of()).get(systemAndValue);
            return indexed == null ? List.of() : List.of(indexed);
        }
        int bar = systemAndValue.indexOf('|');
        String system = bar < 0 ? null : systemAndValue.substring(0, bar);
        String value = bar < 0 ? systemAndValue : systemAndValue.substring(bar + 1);
        List<Resource> found = new ArrayList<>();
        for (Resource r : store.getOrDefault(type, Map.of()).values()) {
            org.hl7.fhir.r4.model.Property p = r.getNamedProperty("identifier");
            if (p == null) {
                continue;
            }
            for (org.hl7.fhir.r4.model.Base b : p.getValues()) {
                Identifier i = (Identifier) b;
                if (value.equals(i.getValue()) && (system == null || system.equals(i.getSystem()))) {
                    found.add(r);
                }
            }
        }
        return found;
    }

    private synchronized MethodOutcome create(Resource resource, String conditional) {
        writeRequests.incrementAndGet();
        String type = resource.fhirType();
        if (resource instanceof Observation o && !o.hasCode()) {
            throw new UnprocessableEntityException("Observation.code: minimum required = 1, but only found 0");
        }
        if (conditional != null) {
            String query = conditional.substring(conditional.indexOf('?') + 1);
            if (!query.startsWith("identifier=")) {
                throw new UnprocessableEntityException("only identifier= is supported in If-None-Exist");
            }
            List<Resource> existing = byIdentifier(type, URLDecoder.decode(query.substring("identifier=".length()), StandardCharsets.UTF_8));
            if (!existing.isEmpty()) {
                MethodOutcome outcome = new MethodOutcome(existing.get(0).getIdElement(), false);
                outcome.setCreated(false);
                return outcome;
            }
        }
        String id = Long.toString(ids.incrementAndGet());
        resource.setId(new IdType(type, id, "1"));
        store.computeIfAbsent(type, t -> new ConcurrentHashMap<>()).put(id, resource);
        index(resource);
        creates.computeIfAbsent(type, t -> new AtomicInteger()).incrementAndGet();
        writes.computeIfAbsent(type, t -> new AtomicInteger()).incrementAndGet();
        return new MethodOutcome(resource.getIdElement(), true);
    }

    private synchronized MethodOutcome update(Resource resource, IdType id, String conditional) {
        writeRequests.incrementAndGet();
        String type = resource.fhirType();
        String target;
        if (conditional != null) {
            String query = conditional.substring(conditional.indexOf('?') + 1);
            List<Resource> existing = byIdentifier(type, URLDecoder.decode(query.substring("identifier=".length()), StandardCharsets.UTF_8));
            target = existing.isEmpty() ? Long.toString(ids.incrementAndGet()) : existing.get(0).getIdElement().getIdPart();
        } else {
            target = id.getIdPart();
        }
        Resource previous = store.computeIfAbsent(type, t -> new ConcurrentHashMap<>()).get(target);
        boolean created = previous == null;
        int version = created ? 1 : Integer.parseInt(previous.getIdElement().getVersionIdPart()) + 1;
        resource.setId(new IdType(type, target, Integer.toString(version)));
        store.get(type).put(target, resource);
        index(resource);
        writes.computeIfAbsent(type, t -> new AtomicInteger()).incrementAndGet();
        if (created) {
            creates.computeIfAbsent(type, t -> new AtomicInteger()).incrementAndGet();
        }
        return new MethodOutcome(resource.getIdElement(), created);
    }

    /** One provider class serves every result type; HAPI takes the type from {@link #getResourceType()}. */
    public final class Results<T extends Resource> implements IResourceProvider {
        private final Class<T> type;

        Results(Class<T> type) {
            this.type = type;
        }

        @Override
        public Class<? extends IBaseResource> getResourceType() {
            return type;
        }

        @Create
        public MethodOutcome create(@ResourceParam IBaseResource resource, @ConditionalUrlParam String conditional) {
            return FaultInjectingEhr.this.create((Resource) resource, conditional);
        }

        @Update
        public MethodOutcome update(@ResourceParam IBaseResource resource, @IdParam IdType id, @ConditionalUrlParam String conditional) {
            return FaultInjectingEhr.this.update((Resource) resource, id, conditional);
        }

        @Read
        public IBaseResource read(@IdParam IdType id) {
            Resource r = store.getOrDefault(fhir.getResourceType(type), Map.of()).get(id.getIdPart());
            if (r == null) {
                throw new ResourceNotFoundException(id);
            }
            return r;
        }

        @Search
        public List<IBaseResource> search(@OptionalParam(name = "identifier") TokenParam identifier) {
            String name = fhir.getResourceType(type);
            if (identifier == null) {
                return List.copyOf(store.getOrDefault(name, Map.of()).values());
            }
            return List.copyOf(byIdentifier(name, (identifier.getSystem() == null ? "" : identifier.getSystem() + "|") + identifier.getValue()));
        }
    }

    public final class Gate {
        @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
        public boolean check(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getRequestURI().endsWith("/metadata")) {
                return true;
            }
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                response.setStatus(failStatus);
                if (retryAfter != null) {
                    response.setHeader("Retry-After", retryAfter);
                }
                response.setContentType("application/fhir+json");
                response.getWriter().write("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"transient\","
                        + "\"diagnostics\":\"busy\"}]}");
                return false;
            }
            if (requireToken && !(anonymousReads && "GET".equals(request.getMethod()))) {
                if (!tokenEndpoint.valid(request.getHeader("Authorization"))) {
                    unauthorized.incrementAndGet();
                    throw new AuthenticationException("bearer token missing, unknown or expired");
                }
            }
            return true;
        }
    }

    /** Rewrites the CapabilityStatement's fhirVersion when a test makes this a non-R4 server. */
    public final class VersionClaim {
        @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
        public void claim(IBaseResource response) {
            String claimed = fhirVersion;
            if (claimed != null && response instanceof org.hl7.fhir.r4.model.CapabilityStatement cs) {
                cs.getFhirVersionElement().setValueAsString(claimed);
            }
        }
    }

    /** What a replayed assertion gets: posts the same assertion again, returns the HTTP status. */
    public int replay(String assertion) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        String body = "grant_type=client_credentials&client_assertion_type="
                + java.net.URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + assertion;
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(tokenUrl()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
