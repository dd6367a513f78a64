package io.carebus.api.audit;

import io.carebus.api.Sha256;
import io.carebus.api.model.ModelId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One audited event. Entities are references (message ids, patient pseudonyms), never raw PHI. The sequence number
 * and chain hash are assigned by the audit trail when the record is appended, so callers build records without them.
 */
public record AuditRecord(
        Instant at,
        String nodeId,
        String actor,
        String remoteAddress,
        AuditAction action,
        Outcome outcome,
        List<String> entities,
        String routeId,
        ModelId model,
        Sha256 inputHash,
        Sha256 outputHash,
        String detail) {

    public enum Outcome { SUCCESS, MINOR_FAILURE, SERIOUS_FAILURE, MAJOR_FAILURE }

    public AuditRecord {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(outcome, "outcome");
        entities = List.copyOf(entities);
    }
}
