package io.carebus.security.internal;

import io.carebus.api.security.Role;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may call what, in one place, for every path the {@code carebus} servlet context serves. Paths are the
 * container's decoded, normalised servlet path plus path info (no query). Anything not named here needs a login with
 * at least one CareBus role; a login without one gets 403.
 */
final class AccessPolicy {

    /** {@code anonymous}: no login. {@code optional}: a login is used when offered (health details). Else {@code roles}. */
    record Access(boolean anonymous, boolean optional, Set<Role> roles, String why) {

        static Access anonymousAccess() {
            return new Access(true, false, Set.of(), "");
        }

        static Access loginOptional() {
            return new Access(false, true, Set.of(), "");
        }

        static Access anyRole() {
            return new Access(false, false, EnumSet.allOf(Role.class), "a CareBus role");
        }

        static Access oneOf(String why, Role... roles) {
            return new Access(false, false, Set.of(roles), why);
        }
    }

    private static final Pattern FHIR_POST = Pattern.compile("/fhir(/[^/]*)?/?");
    private static final Pattern MODEL_PREDICT = Pattern.compile("/api/models/[^/]+/predict");
    private static final Pattern REPROCESS = Pattern.compile("/api/messages/[^/]+/reprocess");
    private static final Pattern OUTBOX_RETRY = Pattern.compile("/api/outbox/[^/]+/retry");

    private AccessPolicy() {
    }

    static Access access(String method, String path) {
        boolean read = "GET".equals(method) || "HEAD".equals(method);
        boolean post = "POST".equals(method);
        // Monitoring polls health without credentials: it gets the status only (the servlet leaves the details out).
        if (path.equals("/api/health")) {
            return Access.loginOptional();
        }
        // EHRs fetch the keys SMART client assertions are signed with; public keys only.
        if (path.equals("/api/.well-known/jwks.json") && read) {
            return Access.anonymousAccess();
        }
        // FHIR clients read the CapabilityStatement before they log in.
        if (path.equals("/fhir/metadata") && read) {
            return Access.anonymousAccess();
        }
        if (path.equals("/api/audit") || path.startsWith("/api/audit/")) {
            return Access.oneOf("the audit trail needs role auditor or admin", Role.AUDITOR, Role.ADMIN);
        }
        if (post) {
            if (MODEL_PREDICT.matcher(path).matches()) {
                return Access.oneOf("running a model needs role engineer or admin", Role.ENGINEER, Role.ADMIN);
            }
            // Installing a model or changing what serves decides what runs on every patient.
            if (path.equals("/api/models") || path.startsWith("/api/models/")) {
                return Access.oneOf("installing a model or changing its state needs role admin", Role.ADMIN);
            }
            if (REPROCESS.matcher(path).matches()) {
                return Access.oneOf("reprocessing needs role engineer or admin", Role.ENGINEER, Role.ADMIN);
            }
            if (OUTBOX_RETRY.matcher(path).matches()) {
                return Access.oneOf("retrying needs role engineer or admin", Role.ENGINEER, Role.ADMIN);
            }
            if (path.equals("/api/deid")) {
                return Access.oneOf("the de-identification try-it needs role engineer or admin", Role.ENGINEER, Role.ADMIN);
            }
            if (FHIR_POST.matcher(path).matches()) {
                return Access.oneOf("posting needs role engineer or admin", Role.ENGINEER, Role.ADMIN);
            }
            if (path.equals("/dicomweb") || path.startsWith("/dicomweb/")) {
                return Access.oneOf("storing needs role engineer or admin", Role.ENGINEER, Role.ADMIN);
            }
        }
        return Access.anyRole();
    }
}
