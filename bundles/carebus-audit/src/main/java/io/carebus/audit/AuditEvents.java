package io.carebus.audit;

/** The audit trail as FHIR R4 AuditEvent resources (IHE BALP patterns), for export to a FHIR audit repository. */
public interface AuditEvents {

    /** At most {@code limit} records from {@code fromSeq} on, as a FHIR Bundle (type collection) in JSON. */
    String bundleJson(long fromSeq, int limit);
}
