package io.carebus.camel.internal;

import io.carebus.api.Sha256;
import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;

/**
 * What a route step means for the audit trail, and the record for it. Steps that leave the engine (MLLP, FHIR, HTTP,
 * files, Kafka, ...) are EMIT; CareBus' own steps are named by their path ({@code carebus:deid} is DEID, ...);
 * in-engine plumbing (direct, seda, log, bean, ...) is not a clinical event and is not recorded.
 */
final class RouteAuditing {

    private static final Set<String> PLUMBING = Set.of("direct", "seda", "vm", "log", "bean", "class", "timer", "scheduler",
            "controlbus", "stub", "mock", "dataset", "ref", "language", "validator", "xslt", "carebus-audit");

    private final Supplier<AuditTrail> trail;

    RouteAuditing(Supplier<AuditTrail> trail) {
        this.trail = trail;
    }

    /** The audited action for a step to this endpoint, or null when the step is not audited. */
    static AuditAction actionFor(Endpoint endpoint) {
        String uri = endpoint.getEndpointUri();
        int colon = uri.indexOf(':');
        String scheme = (colon < 0 ? uri : uri.substring(0, colon)).toLowerCase(Locale.ROOT);
        if (PLUMBING.contains(scheme)) {
            return null;
        }
        if ("carebus".equals(scheme)) {
            String step = uri.substring(colon + 1).replaceFirst("^/+", "").replaceFirst("[?/].*", "").toUpperCase(Locale.ROOT);
            try {
                return AuditAction.valueOf(step);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return AuditAction.EMIT;
    }

    /** Records one step of an exchange; the endpoint is named without its options (they may hold credentials). */
    void record(Exchange exchange, AuditAction action, String where, String detail) {
        AuditTrail audit = trail.get();
        if (audit == null) {
            return;
        }
        Object messageId = exchange.getMessage().getHeader("CareBusMessageId");
        String route = exchange.getFromRouteId();
        audit.append(new AuditRecord(Instant.now(), audit.nodeId(), route == null ? "camel" : "route:" + route, null, action,
                exchange.isFailed() ? AuditRecord.Outcome.SERIOUS_FAILURE : AuditRecord.Outcome.SUCCESS,
                messageId == null ? List.of() : List.of("message/" + messageId), route, null, bodyHash(exchange), null,
                where == null ? detail : (detail == null ? where : where + ": " + detail)));
    }

    static String withoutOptions(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private static Sha256 bodyHash(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        byte[] bytes = body instanceof byte[] b ? b : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
        if (bytes == null) {
            return null;
        }
        try {
            return Sha256.of(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
