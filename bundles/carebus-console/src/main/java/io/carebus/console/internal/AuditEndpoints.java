package io.carebus.console.internal;

import java.util.function.Function;

/**
 * The console's audit endpoints, as a service of their own: it exists only while the audit bundle runs, so the
 * console (which must also run without it) never holds a field of an audit type it might not be able to load.
 */
interface AuditEndpoints {

    /** GET /api/audit, /api/audit/verify, /api/audit/AuditEvent; the answer's body is a JSON object or FHIR JSON text. */
    AuditResource.Answer get(String path, Function<String, String> param, String user, String remote);
}
