package io.carebus.console.internal;

import io.carebus.api.audit.AuditTrail;
import io.carebus.audit.AuditEvents;
import io.carebus.audit.AuditLog;
import io.carebus.audit.AuditVerifier;
import java.util.Map;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Satisfied only when the audit bundle's services are there; then offers the audit endpoints to the servlet. */
@Component(service = AuditEndpoints.class)
public class AuditEndpointsComponent implements AuditEndpoints {

    private final AuditTrail trail;
    private final AuditVerifier verifier;
    private final AuditLog log;
    private final AuditEvents events;

    @Activate
    public AuditEndpointsComponent(@Reference AuditTrail trail, @Reference AuditVerifier verifier, @Reference AuditLog log,
                                   @Reference AuditEvents events) {
        this.trail = trail;
        this.verifier = verifier;
        this.log = log;
        this.events = events;
    }

    @Override
    public AuditResource.Answer get(String path, Function<String, String> param, String user, String remote) {
        return switch (path) {
            case "/audit/verify" -> AuditResource.verify(verifier);
            case "/audit" -> AuditResource.list(log, trail, param, user, remote);
            case "/audit/AuditEvent" -> AuditResource.fhir(events, trail, param, user, remote);
            default -> new AuditResource.Answer(404, Map.of("error", "no such resource: /api" + path));
        };
    }
}
