-- The canonical (FHIR R4) form a protocol bundle mapped a message to, encrypted like the payload when a key is set.
-- A table of its own: the canonical form is several times the size of the raw message, and keeping it out of the
-- message rows keeps the pages that every status update rewrites small.
CREATE TABLE message_canonical (
    message_id  BIGINT      NOT NULL PRIMARY KEY REFERENCES message (id),
    canonical   BYTEA,
    key_id      VARCHAR(64)
);

-- Patient identifiers found in a message, as SHA-256 of "system|value" and of "value", so the browser can find a
-- patient's messages without the store keeping identifiers in clear beside encrypted payloads.
CREATE TABLE message_patient (
    message_id         BIGINT      NOT NULL REFERENCES message (id),
    identifier_sha256  VARCHAR(64) NOT NULL
);
CREATE INDEX message_patient_identifier ON message_patient (identifier_sha256, message_id);
