package io.carebus.audit;

/** Recomputes the audit hash chain and checks it against the latest signed anchor. */
public interface AuditVerifier {

    AuditVerification verify();
}
