package io.carebus.api.audit;

/** What happened. Kept closed so that verification and export can map every action to ATNA / FHIR codes. */
public enum AuditAction {
    RECEIVE, STORE, ACK, DEID, REIDENTIFY, INFER, EXPLAIN, EMIT, READ, EXPORT, CONFIG_CHANGE,
    MODEL_INSTALL, MODEL_ACTIVATE, MODEL_RETIRE, LOGIN_SUCCESS, LOGIN_FAILURE
}
