-- The re-identification vault (bundle carebus-deid): pseudonym -> the patient's real identifier, encrypted with
-- AES-GCM under a key derived from the pseudonym secret (never stored here). One row per pseudonym.
CREATE TABLE deid_vault (
    pseudonym       VARCHAR(64)   NOT NULL PRIMARY KEY,
    key_id          VARCHAR(16)   NOT NULL,
    sealed          BYTEA         NOT NULL,
    created_millis  BIGINT        NOT NULL,
    updated_millis  BIGINT        NOT NULL
);
