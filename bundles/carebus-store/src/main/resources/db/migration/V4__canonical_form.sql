-- The canonical (FHIR R4) form a protocol bundle mapped a message to, encrypted like the payload when a key is set.
ALTER TABLE message ADD COLUMN canonical BYTEA;
ALTER TABLE message ADD COLUMN canonical_key_id VARCHAR(64);

-- Patient identifiers found in a message, as SHA-256 of "system|value" and of "value", so the browser can find a
-- patient's messages without the store keeping identifiers in clear beside encrypted payloads.
CREATE TABLE message_patient (
    message_id         BIGINT      NOT NULL REFERENCES message (id),
    identifier_sha256  VARCHAR(64) NOT NULL
);
CREATE INDEX message_patient_identifier ON message_patient (identifier_sha256, message_id);
