package io.carebus.console.internal;

import io.carebus.api.audit.AuditAction;
import io.carebus.api.audit.AuditRecord;
import io.carebus.api.audit.AuditTrail;
import io.carebus.audit.AuditEntry;
import io.carebus.audit.AuditEvents;
import io.carebus.audit.AuditLog;
import io.carebus.audit.AuditVerification;
import io.carebus.audit.AuditVerifier;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /api/audit/verify} (recompute the chain) and {@code GET /api/audit?from=&limit=} (read it), for auditors
 * and admins; reading the trail is itself recorded. Also records the console's own events (PHI read, failed login).
 */
final class AuditResource {

    record Answer(int status, Object body) {
    }

    private AuditResource() {
    }

    static Answer verify(AuditVerifier verifier) {
        AuditVerification v = verifier.verify();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intact", v.intact());
        body.put("checked", v.checked());
        body.put("lastSeq", v.lastSeq());
        body.put("anchoredSeq", v.anchoredSeq());
        body.put("firstBrokenSeq", v.firstBrokenSeq());
        body.put("problem", v.problem() == null ? null : v.problem().name());
        body.put("detail", v.detail());
        body.put("millis", v.millis());
        return new Answer(200, body);
    }

    /** {@code from} (a sequence number, default 1) and {@code limit} (1..10000, default 100) of a request. */
    private record Page(long from, int limit) {
        static Page of(Function<String, String> param) {
            long from = param.apply("from") == null ? 1 : Long.parseLong(param.apply("from"));
            int limit = param.apply("limit") == null ? 100 : Integer.parseInt(param.apply("limit"));
            if (limit < 1 || limit > 10_000) {
                throw new NumberFormatException("limit must be 1..10000");
            }
            return new Page(from, limit);
        }
    }

    private static Answer badPage(NumberFormatException e) {
        return new Answer(400, Map.of("error", "bad query: " + e.getMessage() + " (from: a sequence number; limit 1..10000)"));
    }

    static Answer list(AuditLog log, AuditTrail trail, Function<String, String> param, String user, String remote) {
        Page page;
        try {
            page = Page.of(param);
        } catch (NumberFormatException e) {
            return badPage(e);
        }
        int limit = page.limit();
        List<AuditEntry> entries = log.read(page.from(), limit);
        if (!entries.isEmpty()) {
            record(trail, user, remote, AuditAction.READ, AuditRecord.Outcome.SUCCESS,
                    List.of("audit/" + entries.get(0).seq() + "-" + entries.get(entries.size() - 1).seq()), "audit trail read");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("entries", entries.stream().map(AuditResource::entry).toList());
        body.put("next", entries.size() == limit ? entries.get(entries.size() - 1).seq() + 1 : null);
        return new Answer(200, body);
    }

    /** GET /api/audit/AuditEvent: the same page as FHIR AuditEvents in a collection Bundle (the body is the JSON text). */
    static Answer fhir(AuditEvents events, AuditTrail trail, Function<String, String> param, String user, String remote) {
        Page page;
        try {
            page = Page.of(param);
        } catch (NumberFormatException e) {
            return badPage(e);
        }
        String bundle = events.bundleJson(page.from(), page.limit());
        record(trail, user, remote, AuditAction.EXPORT, AuditRecord.Outcome.SUCCESS,
                List.of("audit/" + page.from() + "+" + page.limit()),
                "audit trail exported as FHIR AuditEvent");
        return new Answer(200, bundle);
    }

    private static Map<String, Object> entry(AuditEntry e) {
        AuditRecord r = e.record();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("at", r.at().toString());
        m.put("node", r.nodeId());
        m.put("actor", r.actor());
        m.put("remoteAddress", r.remoteAddress());
        m.put("action", r.action().name());
        m.put("outcome", r.outcome().name());
        m.put("entities", r.entities());
        m.put("routeId", r.routeId());
        m.put("model", r.model() == null ? null : r.model().id() + "@" + r.model().version() + " sha256:" + r.model().sha256().hex());
        m.put("inputSha256", r.inputHash() == null ? null : r.inputHash().hex());
        m.put("outputSha256", r.outputHash() == null ? null : r.outputHash().hex());
        m.put("detail", r.detail());
        m.put("keyId", e.keyId());
        m.put("chainHash", e.chainHash());
        return m;
    }

    /** Appends a console event when an audit trail runs; an outage is logged by the caller's trail, not fatal here. */
    static void record(AuditTrail trail, String user, String remote, AuditAction action, AuditRecord.Outcome outcome,
                       List<String> entities, String detail) {
        if (trail != null) {
            trail.append(new AuditRecord(Instant.now(), trail.nodeId(), "user:" + user, remote, action, outcome, entities,
                    null, null, null, null, detail));
        }
    }
}
