-- The tamper-evident audit trail (bundle carebus-audit): append-only, one row per event, each row's chain_hash is
-- HMAC-SHA256(key, previous row's chain_hash || canonical form of the row). Entities are references, never PHI.
CREATE TABLE audit_record (
    seq             BIGINT        NOT NULL PRIMARY KEY,
    at_millis       BIGINT        NOT NULL,
    node_id         VARCHAR(100)  NOT NULL,
    actor           VARCHAR(200)  NOT NULL,
    remote_address  VARCHAR(100),
    action          VARCHAR(40)   NOT NULL,
    outcome         VARCHAR(40)   NOT NULL,
    entities        VARCHAR(4000),
    route_id        VARCHAR(200),
    model_id        VARCHAR(200),
    model_version   VARCHAR(100),
    model_sha256    VARCHAR(64),
    input_sha256    VARCHAR(64),
    output_sha256   VARCHAR(64),
    detail          VARCHAR(4000),
    key_id          VARCHAR(64)   NOT NULL,
    chain_hash      VARCHAR(64)   NOT NULL
);
CREATE INDEX audit_record_at ON audit_record (at_millis);
