-- PostgreSQL only: the audit table refuses UPDATE, DELETE and TRUNCATE, whoever asks (the hash chain shows any change
-- made around this, e.g. by a superuser who disables the trigger).
CREATE FUNCTION carebus_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_record is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_record_no_update_delete BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION carebus_audit_append_only();
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION carebus_audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_record FROM PUBLIC;
