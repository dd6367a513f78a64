package io.carebus.console.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.health.HealthIndicator;
import io.carebus.api.store.MessageProcessing;
import io.carebus.api.store.MessageStore;
import io.carebus.camel.RouteFileState;
import io.carebus.camel.RouteFiles;
import io.carebus.api.security.AuthenticatedUser;
import io.carebus.api.security.Role;
import io.carebus.security.RequestBodies;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api} on the appliance's HTTP port, in the {@code carebus} servlet context, which logs users in and checks
 * their roles before this servlet runs (carebus-security). {@code GET /api/health} answers anyone with the status
 * alone (load balancers and monitoring poll it) and a logged-in user with the details.
 */
@Component(service = Servlet.class, configurationPid = "io.carebus.console", property = {
        "osgi.http.whiteboard.servlet.pattern=/api/*",
        "osgi.http.whiteboard.servlet.name=carebus-api",
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=carebus)"})
@Designate(ocd = ConsoleConfig.class)
public class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);

    private final transient ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Set<String> requiredIndicators;
    private final int deidMaxBytes;

    private final transient List<HealthIndicator> indicators = new CopyOnWriteArrayList<>();
    private transient volatile RouteFiles routeFiles;
    private transient volatile MessageStore messageStore;
    private final transient List<MessageProcessing> processings = new CopyOnWriteArrayList<>();

    @Activate
    public ApiServlet(ConsoleConfig config) {
        // A .cfg file gives "a, b" as one string; a .config file or the metatype UI gives an array.
        this.requiredIndicators = java.util.Arrays.stream(config.health_required_indicators())
                .flatMap(v -> java.util.Arrays.stream(v.split(",")))
                .map(String::strip).filter(v -> !v.isEmpty())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.deidMaxBytes = Math.max(1, Math.min(config.deid_max_bytes(), Integer.MAX_VALUE - 1));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addIndicator(HealthIndicator indicator) {
        indicators.add(indicator);
    }

    void removeIndicator(HealthIndicator indicator) {
        indicators.remove(indicator);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProcessing(MessageProcessing processing) {
        processings.add(processing);
    }

    void removeProcessing(MessageProcessing processing) {
        processings.remove(processing);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setMessageStore(MessageStore store) {
        this.messageStore = store;
    }

    void unsetMessageStore(MessageStore store) {
        if (this.messageStore == store) {
            this.messageStore = null;
        }
    }

    // The audit bundle is optional for the console: without it these stay null and /api/audit answers 503.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile AuditTrail auditTrail;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile AuditEndpoints auditEndpoints;

    // The FHIR bundle's outbox, optional as well: without it /api/outbox answers 503.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile io.carebus.api.outbox.Outbox outbox;

    // The de-identification bundle, optional as well: without it /api/deid answers 503.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile io.carebus.api.deid.Deidentification deidentification;

    // The inference bundle is optional too: without it /api/models answers 503.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile ModelEndpoints modelEndpoints;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setRouteFiles(RouteFiles files) {
        this.routeFiles = files;
    }

    void unsetRouteFiles(RouteFiles files) {
        if (this.routeFiles == files) {
            this.routeFiles = null;
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = Optional.ofNullable(req.getPathInfo()).orElse("/");
        resp.setHeader("Cache-Control", "no-store");
        if (path.equals("/health")) {
            if (!isRead(req)) {
                methodNotAllowed(resp);
                return;
            }
            Map<String, Object> health = HealthAggregator.aggregate(List.copyOf(indicators), requiredIndicators);
            // DEGRADED warns and still serves: a readiness probe must not take a working appliance out of rotation.
            int status = "DOWN".equals(health.get("status")) ? 503 : 200;
            // Anonymous callers learn the status only: the details name versions, paths and fingerprints.
            write(resp, status, currentUser(req).isPresent() ? health : Map.of("status", health.get("status")));
            return;
        }
        Optional<AuthenticatedUser> user = currentUser(req);
        if (user.isEmpty()) {
            // Not reachable through the carebus context, which lets nobody past without a login here; kept so a
            // servlet registered elsewhere by mistake fails closed.
            write(resp, 401, error("authentication required"));
            return;
        }
        if (path.startsWith("/messages/") && path.endsWith("/reprocess") && "POST".equals(req.getMethod())) {
            reprocess(resp, path.substring("/messages/".length(), path.length() - "/reprocess".length()), user.get());
            return;
        }
        if (path.equals("/models") || path.startsWith("/models/")) {
            models(req, resp, path, user.get());
            return;
        }
        if (path.equals("/deid") && "POST".equals(req.getMethod())) {
            deid(req, resp, user.get());
            return;
        }
        if (path.equals("/outbox") || path.startsWith("/outbox/")) {
            outbox(req, resp, path, user.get());
            return;
        }
        if (!isRead(req)) {
            methodNotAllowed(resp);
            return;
        }
        if (path.equals("/audit") || path.startsWith("/audit/")) {
            audit(resp, path, req, user.get());
            return;
        }
        if (path.equals("/messages") || path.startsWith("/messages/")) {
            MessageStore store = messageStore;
            if (store == null) {
                write(resp, 503, error("the message store is not running"));
                return;
            }
            MessagesResource.Answer answer = path.equals("/messages") ? MessagesResource.list(store, req::getParameter)
                    : MessagesResource.one(store, path.substring("/messages/".length()), user.get().roles());
            if (answer.body() instanceof Map<?, ?> shown && shown.containsKey("raw")) {
                auditQuietly(user.get().name(), req.getRemoteAddr(), AuditAction.READ, AuditRecord.Outcome.SUCCESS,
                        List.of("message/" + shown.get("id")), "raw message and its FHIR form shown");
            }
            write(resp, answer.status(), answer.body());
            return;
        }
        switch (path) {
            case "/whoami" -> write(resp, 200, Map.of("user", user.get().name(),
                    "roles", user.get().roles().stream().map(Role::jaasName).sorted().toList()));
            case "/routes" -> write(resp, 200, routes());
            default -> write(resp, 404, error("no such resource: /api" + path));
        }
    }

    /**
     * GET /api/models (any role); POST uploads and state changes (admins), predictions (engineers and admins), each audited with the
     * user: state changes as CONFIG_CHANGE, predictions as INFER.
     */
    private void models(HttpServletRequest req, HttpServletResponse resp, String path, AuthenticatedUser user)
            throws IOException {
        ModelEndpoints endpoints = modelEndpoints;
        if (endpoints == null) {
            write(resp, 503, error("the inference bundle is not running"));
            return;
        }
        if (isRead(req) && path.equals("/models")) {
            AuditResource.Answer answer = endpoints.list();
            write(resp, answer.status(), answer.body());
            return;
        }
        if (!"POST".equals(req.getMethod())) {
            methodNotAllowed(resp);
            return;
        }
        // Who may install, change or run a model: carebus-security's AccessPolicy.
        boolean predict = path.endsWith("/predict");
        if (path.equals("/models")) {
            upload(req, resp, user);
            return;
        }
        RequestBodies.Body body = RequestBodies.read(req, MAX_MODEL_REQUEST);
        if (body.tooLarge()) {
            tooLarge(req, resp, MAX_MODEL_REQUEST);
            return;
        }
        AuditResource.Answer answer = endpoints.post(path, req::getParameter, body.bytes());
        auditQuietly(user.name(), req.getRemoteAddr(), predict ? AuditAction.INFER : AuditAction.CONFIG_CHANGE,
                answer.status() < 300 ? AuditRecord.Outcome.SUCCESS : AuditRecord.Outcome.MINOR_FAILURE,
                List.of("model/" + path.substring("/models/".length()).split("/")[0]),
                (predict ? "prediction requested: " : "model state change: ") + path.substring(1) + " -> " + answer.status());
        write(resp, answer.status(), answer.body());
    }

    private static final int MAX_MODEL_REQUEST = 64 * 1024;

    /** POST /api/models with a model bundle jar as the body: into deploy/, then the same checks as a dropped-in one. */
    private void upload(HttpServletRequest req, HttpServletResponse resp, AuthenticatedUser user) throws IOException {
        if (req.getContentLengthLong() > ModelUploads.MAX_BYTES) {
            RequestBodies.closeAfterAnswer(resp);
            write(resp, 413, error("model bundle over " + ModelUploads.MAX_BYTES + " bytes"));
            return;
        }
        Path base = Path.of(System.getProperty("karaf.base", "."));
        Path data = Path.of(System.getProperty("karaf.data", base.resolve("data").toString()));
        try {
            ModelUploads.Uploaded uploaded = ModelUploads.accept(req.getInputStream(), base.resolve("deploy"), data.resolve("carebus/uploads"));
            auditQuietly(user.name(), req.getRemoteAddr(), AuditAction.MODEL_INSTALL, AuditRecord.Outcome.SUCCESS,
                    List.of("bundle/" + uploaded.bundle()), "model bundle uploaded to deploy/" + uploaded.file());
            write(resp, 202, Map.of("file", "deploy/" + uploaded.file(), "bundle", uploaded.bundle(),
                    "next", "its checks run now; see GET /api/models for its state"));
        } catch (IllegalArgumentException e) {
            auditQuietly(user.name(), req.getRemoteAddr(), AuditAction.MODEL_INSTALL, AuditRecord.Outcome.MINOR_FAILURE,
                    List.of(), "model upload refused: " + e.getMessage());
            boolean tooLarge = !(e instanceof ModelUploads.AlreadyDeployedException) && e.getMessage().startsWith("model bundle over");
            if (tooLarge) {
                RequestBodies.closeAfterAnswer(resp);
            }
            write(resp, e instanceof ModelUploads.AlreadyDeployedException ? 409 : tooLarge ? 413 : 400, error(e.getMessage()));
        }
    }

    /**
     * GET /api/outbox (?status=&ehr=&limit=) and /api/outbox/{id}: any role (no bodies, they hold PHI);
     * POST /api/outbox/{id}/retry: engineers and admins, audited.
     */
    private void outbox(HttpServletRequest req, HttpServletResponse resp, String path, AuthenticatedUser user)
            throws IOException {
        io.carebus.api.outbox.Outbox box = outbox;
        if (box == null) {
            write(resp, 503, error("the FHIR bundle (outbox) is not running"));
            return;
        }
        String[] parts = path.split("/");
        try {
            if (isRead(req) && parts.length == 2) {
                String status = req.getParameter("status");
                int limit = req.getParameter("limit") == null ? 100 : Math.max(1, Math.min(1000, Integer.parseInt(req.getParameter("limit"))));
                write(resp, 200, box.list(status == null ? null : io.carebus.api.outbox.OutboxStatus.valueOf(status.toUpperCase(java.util.Locale.ROOT)),
                        req.getParameter("ehr"), limit).stream().map(ApiServlet::outboxJson).toList());
                return;
            }
            long id = Long.parseLong(parts[2]);
            if (isRead(req) && parts.length == 3) {
                Optional<io.carebus.api.outbox.OutboxEntry> entry = box.find(id);
                write(resp, entry.isPresent() ? 200 : 404, entry.isPresent() ? outboxJson(entry.get()) : error("no outbox entry " + id));
                return;
            }
            if ("POST".equals(req.getMethod()) && parts.length == 4 && "retry".equals(parts[3])) {
                boolean queued = box.retry(id, user.name());
                auditQuietly(user.name(), req.getRemoteAddr(), AuditAction.CONFIG_CHANGE,
                        queued ? AuditRecord.Outcome.SUCCESS : AuditRecord.Outcome.MINOR_FAILURE, List.of("outbox/" + id), "outbox retry");
                write(resp, queued ? 202 : 409, queued ? Map.of("id", id, "status", "PENDING")
                        : error("outbox entry " + id + " does not exist or was delivered already"));
                return;
            }
        } catch (IllegalArgumentException e) {
            write(resp, 400, error("bad outbox request: " + e.getMessage()));
            return;
        }
        methodNotAllowed(resp);
    }

    /**
     * POST /api/deid?profile=NAME with an HL7v2 (application/hl7-v2), FHIR JSON or XML body: the body de-identified as
     * a route would (same keys, same pseudonyms), for engineers tuning profiles. Engineers and admins; audited by the
     * de-identification bundle. Bodies over {@code deid.max.bytes} get 413 (unread when Content-Length says so); XML
     * with a DOCTYPE or ENTITY declaration gets 400 from the de-identification bundle, as at {@code /fhir}.
     */
    private void deid(HttpServletRequest req, HttpServletResponse resp, AuthenticatedUser user) throws IOException {
        io.carebus.api.deid.Deidentification service = deidentification;
        if (service == null) {
            write(resp, 503, error("the de-identification bundle is not running"));
            return;
        }
        RequestBodies.Body body = RequestBodies.read(req, deidMaxBytes);
        if (body.tooLarge()) {
            tooLarge(req, resp, deidMaxBytes);
            return;
        }
        try {
            byte[] out = service.deidentify(req.getContentType(), body.bytes(), req.getParameter("profile"), user.name());
            resp.setStatus(200);
            resp.setContentType(req.getContentType());
            resp.getOutputStream().write(out);
        } catch (UnsupportedOperationException e) {
            write(resp, 415, error(e.getMessage()));
        } catch (IllegalArgumentException e) {
            write(resp, 400, error(e.getMessage()));
        }
    }

    /** 413, and the connection closed after it: the rest of the body is never read. */
    private void tooLarge(HttpServletRequest req, HttpServletResponse resp, int max) throws IOException {
        LOG.warn("Refused an /api{} body over {} bytes from {} (413)", req.getPathInfo(), max, req.getRemoteAddr());
        RequestBodies.closeAfterAnswer(resp);
        write(resp, 413, error("request body over " + max + " bytes"));
    }

    private static Map<String, Object> outboxJson(io.carebus.api.outbox.OutboxEntry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("ehr", e.ehr());
        m.put("resourceType", e.resourceType());
        m.put("identifier", e.identifier());
        m.put("sourceMessage", e.sourceMessage());
        m.put("status", e.status().name());
        m.put("attempts", e.attempts());
        m.put("created", e.created().toString());
        m.put("nextAttempt", e.nextAttempt().toString());
        m.put("done", e.done() == null ? null : e.done().toString());
        m.put("lastHttpStatus", e.lastHttpStatus());
        m.put("lastOutcome", e.lastOutcome());
        m.put("location", e.location());
        return m;
    }

    /** GET /api/audit (read the trail) and /api/audit/verify: auditors and admins. */
    private void audit(HttpServletResponse resp, String path, HttpServletRequest req, AuthenticatedUser user)
            throws IOException {
        AuditEndpoints endpoints = auditEndpoints;
        if (endpoints == null) {
            write(resp, 503, error("the audit trail is not running"));
            return;
        }
        AuditResource.Answer answer = endpoints.get(path, req::getParameter, user.name(), req.getRemoteAddr());
        if (answer.status() == 200 && answer.body() instanceof String fhirJson) {
            resp.setStatus(200);
            resp.setContentType("application/fhir+json");
            resp.setCharacterEncoding("UTF-8");
            resp.getWriter().write(fhirJson);
            return;
        }
        write(resp, answer.status(), answer.body());
    }

    private void auditQuietly(String user, String remote, AuditAction action, AuditRecord.Outcome outcome, List<String> entities,
                              String detail) {
        try {
            AuditResource.record(auditTrail, user, remote, action, outcome, entities, detail);
        } catch (RuntimeException e) {
            LOG.error("Audit record ({}) not stored: {}", action, e.getMessage());
        }
    }

    /** POST /api/messages/{id}/reprocess: engineers and admins; the message's protocol decides who processes it. */
    private void reprocess(HttpServletResponse resp, String idText, AuthenticatedUser user) throws IOException {
        MessageStore store = messageStore;
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            write(resp, 400, error("message id must be a number"));
            return;
        }
        var message = store == null ? null : store.find(id).orElse(null);
        if (message == null) {
            write(resp, 404, error("no message " + id));
            return;
        }
        MessageProcessing processing = processings.stream()
                .filter(p -> p.protocol().equals(message.message().protocol())).findFirst().orElse(null);
        if (processing == null) {
            write(resp, 503, error("nothing processes " + message.message().protocol() + " messages now"));
            return;
        }
        processing.reprocess(id, user.name());
        LOG.info("Message {} queued for reprocessing by {}", id, user.name());
        write(resp, 202, Map.of("id", id, "status", "RECEIVED"));
    }

    private Map<String, Object> routes() {
        RouteFiles files = routeFiles;
        Map<String, Object> answer = new LinkedHashMap<>();
        if (files == null) {
            answer.put("error", "the routes engine is not running");
            return answer;
        }
        answer.put("directory", files.directory());
        Map<String, Object> perFile = new LinkedHashMap<>();
        for (RouteFileState state : files.files()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("deployed", state.deployed());
            Map<String, String> routes = new LinkedHashMap<>();
            state.routeIds().forEach(id -> routes.put(id, files.routeStatus(id)));
            f.put("routes", routes);
            f.put("error", state.error());
            f.put("line", state.errorLine());
            f.put("at", state.at().toString());
            perFile.put(state.file(), f);
        }
        answer.put("files", perFile);
        return answer;
    }

    private static Optional<AuthenticatedUser> currentUser(HttpServletRequest req) {
        return req.getAttribute(AuthenticatedUser.REQUEST_ATTRIBUTE) instanceof AuthenticatedUser u ? Optional.of(u) : Optional.empty();
    }

    private static boolean isRead(HttpServletRequest req) {
        return "GET".equals(req.getMethod()) || "HEAD".equals(req.getMethod());
    }

    private void methodNotAllowed(HttpServletResponse resp) throws IOException {
        resp.setHeader("Allow", "GET, HEAD");
        write(resp, 405, error("method not allowed"));
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private void write(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        json.writeValue(resp.getOutputStream(), body);
    }
}
