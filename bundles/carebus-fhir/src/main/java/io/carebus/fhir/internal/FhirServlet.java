package io.carebus.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.api.store.MessageStore;
import io.carebus.api.security.AuthenticatedUser;
import io.carebus.security.RequestBodies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /fhir} on the appliance's HTTP port: {@code POST /fhir} (a Bundle) or {@code POST /fhir/<type>} (a resource)
 * is the FHIR intake (roles engineer or admin); {@code GET /fhir/<type>?subject=&code=} and {@code GET /fhir/<type>/<id>}
 * read the engine's own results from the outbox (any CareBus role, audited); {@code GET /fhir/metadata} describes this
 * (anonymous). The {@code carebus} servlet context (carebus-security) logs users in and checks those roles first.
 */
@Component(service = Servlet.class, configurationPid = "io.carebus.fhir", property = {
        "osgi.http.whiteboard.servlet.pattern=/fhir/*",
        "osgi.http.whiteboard.servlet.name=carebus-fhir",
        "osgi.http.whiteboard.context.select=(osgi.http.whiteboard.context.name=carebus)"})
public class FhirServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FhirServlet.class);
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");
    private static final Set<String> READABLE = OutboxStep.DEFAULT_TYPES;

    private final transient FhirContext fhir = FhirContext.forR4Cached();
    private final transient FhirIntake intake;
    private final transient OutboxComponent outbox;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile AuditTrail auditTrail;

    @Activate
    public FhirServlet(FhirConfig config, @Reference MessageStore store, @Reference FhirDispatcher dispatcher,
                       @Reference OutboxComponent outbox, @Reference FhirValidationService validation) {
        this.intake = new FhirIntake(fhir, validation.validation(), store, Clock.systemUTC(), config.max_bytes(), () -> auditTrail,
                dispatcher::submit);
        this.outbox = outbox;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = Optional.ofNullable(req.getPathInfo()).orElse("/");
        resp.setHeader("Cache-Control", "no-store");
        if (path.equals("/metadata") && "GET".equals(req.getMethod())) {
            write(req, resp, 200, capabilityStatement(), false);
            return;
        }
        String user = req.getAttribute(AuthenticatedUser.REQUEST_ATTRIBUTE) instanceof AuthenticatedUser u ? u.name() : null;
        String[] parts = path.substring(1).split("/", -1);
        if ("POST".equals(req.getMethod()) && (path.equals("/") || parts.length == 1)) {
            post(req, resp, path.equals("/") ? null : parts[0], user);
            return;
        }
        if (!"GET".equals(req.getMethod())) {
            resp.setHeader("Allow", "GET, POST");
            write(req, resp, 405, FhirIntake.error(OperationOutcome.IssueType.NOTSUPPORTED, "method not allowed"), false);
            return;
        }
        if (parts.length < 1 || parts.length > 2 || !TYPE.matcher(parts[0]).matches() || !READABLE.contains(parts[0])) {
            write(req, resp, 404, FhirIntake.error(OperationOutcome.IssueType.NOTFOUND, "this appliance serves its results only: "
                    + String.join(", ", READABLE.stream().sorted().toList())), false);
            return;
        }
        if (parts.length == 2) {
            read(req, resp, parts[0], parts[1], user);
        } else {
            search(req, resp, parts[0], user);
        }
    }

    private void post(HttpServletRequest req, HttpServletResponse resp, String pathType, String user) throws IOException {
        // A Content-Length over the cap is refused unread; else at most one byte more than the cap is read: enough to
        // know it is too large, and its start is kept.
        RequestBodies.Body body = RequestBodies.read(req, intake.maxBytes());
        String requestId = Optional.ofNullable(req.getHeader("X-Request-Id")).orElse(req.getHeader("Request-Id"));
        FhirIntake.Answer answer = body.tooLarge() && body.bytes().length == 0
                ? intake.refuseUnread(req.getContentLengthLong(), req.getRemoteAddr(), user)
                : intake.handle(body.bytes(), req.getContentType(), pathType, req.getRemoteAddr(), user, requestId);
        if (answer.messageId() >= 0) {
            resp.setHeader("Content-Location", "/api/messages/" + answer.messageId());
        }
        if (answer.status() == 413) {
            RequestBodies.closeAfterAnswer(resp);
        }
        write(req, resp, answer.status(), answer.outcome(), req.getContentType() != null && req.getContentType().contains("xml"));
    }

    private void search(HttpServletRequest req, HttpServletResponse resp, String type, String user) throws IOException {
        LocalSearch.Found found = LocalSearch.search(outbox.outbox(), type, req::getParameter);
        audit(user, req.getRemoteAddr(), found.outboxIds().stream().map(id -> "outbox/" + id).toList(),
                "FHIR search " + type + " -> " + found.outboxIds().size());
        write(req, resp, 200, found.bundle(), false);
    }

    private void read(HttpServletRequest req, HttpServletResponse resp, String type, String id, String user) throws IOException {
        long outboxId;
        try {
            outboxId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            Optional<JdbcOutbox.Stored> byClientId = id.startsWith("cb-") ? outbox.outbox().readByClientId(type, id) : Optional.empty();
            if (byClientId.isEmpty()) {
                write(req, resp, 404, FhirIntake.error(OperationOutcome.IssueType.NOTFOUND, "no " + type + "/" + FhirIntake.clean(id)), false);
                return;
            }
            audit(user, req.getRemoteAddr(), List.of("outbox/" + byClientId.get().id()), "FHIR read " + type);
            write(req, resp, 200, parse(byClientId.get()), false);
            return;
        }
        Optional<JdbcOutbox.Stored> stored = outbox.outbox().read(type, outboxId);
        if (stored.isEmpty()) {
            write(req, resp, 404, FhirIntake.error(OperationOutcome.IssueType.NOTFOUND, "no " + type + "/" + outboxId), false);
            return;
        }
        audit(user, req.getRemoteAddr(), List.of("outbox/" + outboxId), "FHIR read " + type);
        write(req, resp, 200, parse(stored.get()), false);
    }

    private static Resource parse(JdbcOutbox.Stored stored) {
        return LocalSearch.parse(stored);
    }

    private CapabilityStatement capabilityStatement() {
        CapabilityStatement cs = new CapabilityStatement();
        cs.setStatus(Enumerations.PublicationStatus.ACTIVE).setDate(new Date()).setKind(CapabilityStatement.CapabilityStatementKind.INSTANCE)
                .setFhirVersion(Enumerations.FHIRVersion._4_0_1).setPublisher("CareBus");
        cs.addFormat("application/fhir+json").addFormat("application/fhir+xml");
        cs.getSoftware().setName("CareBus");
        CapabilityStatement.CapabilityStatementRestComponent rest = cs.addRest().setMode(CapabilityStatement.RestfulCapabilityMode.SERVER);
        rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.BATCH);
        rest.addInteraction().setCode(CapabilityStatement.SystemRestfulInteraction.TRANSACTION);
        rest.setDocumentation("POST a Bundle to the base or a resource to its type: validated, stored, then routed (202). "
                + "Results the engine produced are readable and searchable by subject and code.");
        for (String type : READABLE.stream().sorted().toList()) {
            CapabilityStatement.CapabilityStatementRestResourceComponent r = rest.addResource().setType(type);
            r.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.CREATE);
            r.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.READ);
            r.addInteraction().setCode(CapabilityStatement.TypeRestfulInteraction.SEARCHTYPE);
            r.addSearchParam().setName("subject").setType(Enumerations.SearchParamType.REFERENCE);
            r.addSearchParam().setName("subject.identifier").setType(Enumerations.SearchParamType.TOKEN)
                    .setDocumentation("the subject's identifier, system|value or a value in any system (re-identified results name "
                            + "the real patient's identifier)");
            r.addSearchParam().setName("code").setType(Enumerations.SearchParamType.TOKEN);
            r.addSearchParam().setName("status").setType(Enumerations.SearchParamType.TOKEN);
        }
        return cs;
    }

    private void audit(String user, String remote, List<String> entities, String detail) {
        AuditTrail trail = auditTrail;
        if (trail == null) {
            return;
        }
        try {
            trail.append(new AuditRecord(java.time.Instant.now(), trail.nodeId(), user == null ? "fhir" : user, remote, AuditAction.READ,
                    AuditRecord.Outcome.SUCCESS, entities.size() > 50 ? entities.subList(0, 50) : entities, null, null, null, null, detail));
        } catch (RuntimeException e) {
            LOG.error("Audit record of a FHIR read not stored: {}", e.getMessage());
        }
    }

    private void write(HttpServletRequest req, HttpServletResponse resp, int status, IBaseResource resource, boolean xmlDefault)
            throws IOException {
        String accept = Optional.ofNullable(req.getHeader("Accept")).orElse("");
        String format = Optional.ofNullable(req.getParameter("_format")).orElse("");
        boolean xml = format.contains("xml") || (!format.contains("json") && (accept.contains("xml") && !accept.contains("json")
                || accept.isEmpty() && xmlDefault));
        IParser parser = (xml ? fhir.newXmlParser() : fhir.newJsonParser()).setPrettyPrint(true);
        String text = FhirValidation.withHapiLoader(() -> parser.encodeResourceToString(resource));
        resp.setStatus(status);
        resp.setContentType(xml ? "application/fhir+xml" : "application/fhir+json");
        resp.setCharacterEncoding("UTF-8");
        resp.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    }
}
