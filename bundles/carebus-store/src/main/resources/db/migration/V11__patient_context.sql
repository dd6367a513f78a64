-- The patient context (bundle carebus-context): per subject (a pseudonym, or system|value of the patient's identifier
-- where a route records before de-identification) the clinical timeline models are fed from. Times are epoch
-- milliseconds. recorded_millis is when the engine learnt a row: retention prunes by it, not by the clinical time,
-- which de-identification shifts by up to a year and a replay takes from last month.

-- One row per (observation, code): an observation's codings and each component's codings, each with its value, so a
-- feature's lookup is one range scan of (subject, code, effective_millis) whatever the history's length. obs_key is
-- the observation's identity as system|value (its identifier, else urn:carebus:fhir-id|Observation/<id>, else
-- urn:carebus:context|<hash of subject, codes, time>): a message delivered twice writes the same rows.
CREATE TABLE context_observation (
    subject           VARCHAR(255)  NOT NULL,
    obs_key           VARCHAR(255)  NOT NULL,
    code              VARCHAR(255)  NOT NULL,
    effective_millis  BIGINT        NOT NULL,
    value_num         DOUBLE PRECISION,
    unit              VARCHAR(64),
    status            VARCHAR(32)   NOT NULL,
    recorded_millis   BIGINT        NOT NULL,
    PRIMARY KEY (subject, obs_key, code)
);
CREATE INDEX context_observation_lookup ON context_observation (subject, code, effective_millis);
CREATE INDEX context_observation_window ON context_observation (subject, effective_millis);
CREATE INDEX context_observation_recorded ON context_observation (recorded_millis);

-- Demographics: one row per subject. birth_date as sent (YYYY, YYYY-MM or YYYY-MM-DD: Safe Harbor leaves a year).
CREATE TABLE context_patient (
    subject           VARCHAR(255)  NOT NULL PRIMARY KEY,
    birth_date        VARCHAR(10),
    gender            VARCHAR(16),
    recorded_millis   BIGINT        NOT NULL
);
CREATE INDEX context_patient_recorded ON context_patient (recorded_millis);

CREATE TABLE context_condition (
    subject              VARCHAR(255)  NOT NULL,
    condition_key        VARCHAR(255)  NOT NULL,
    code                 VARCHAR(255),
    clinical_status      VARCHAR(32),
    verification_status  VARCHAR(32),
    onset_millis         BIGINT,
    recorded_millis      BIGINT        NOT NULL,
    PRIMARY KEY (subject, condition_key)
);
CREATE INDEX context_condition_recorded ON context_condition (recorded_millis);

CREATE TABLE context_encounter (
    subject           VARCHAR(255)  NOT NULL,
    encounter_key     VARCHAR(255)  NOT NULL,
    class_code        VARCHAR(64),
    status            VARCHAR(32),
    start_millis      BIGINT,
    end_millis        BIGINT,
    recorded_millis   BIGINT        NOT NULL,
    PRIMARY KEY (subject, encounter_key)
);
CREATE INDEX context_encounter_recorded ON context_encounter (recorded_millis);
