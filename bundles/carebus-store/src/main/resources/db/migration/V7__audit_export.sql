-- How far each audit export destination (ATNA syslog collector, FHIR AuditEvent endpoint) has been sent: the last
-- audit_record.seq it took. Kept apart from audit_record, whose rows never change.
CREATE TABLE audit_export_cursor (
    destination     VARCHAR(100)  NOT NULL PRIMARY KEY,
    last_seq        BIGINT        NOT NULL,
    updated_millis  BIGINT        NOT NULL
);
