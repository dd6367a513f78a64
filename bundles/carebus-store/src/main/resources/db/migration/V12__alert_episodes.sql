-- Alert episodes (bundle carebus-fhir, carebus:alert): one row per episode of one subject, model and card output, from
-- the first score at or above the card's threshold until a score below threshold minus the hysteresis. Durable, so a
-- restart neither raises a second alert for a running episode nor forgets to end it; kept after the end, so a replay of
-- the same scores finds the episode each score belongs to and emits the same identifiers again.
CREATE TABLE alert_episode (
    episode          VARCHAR(64)      NOT NULL PRIMARY KEY,
    subject          VARCHAR(255)     NOT NULL,
    model            VARCHAR(100)     NOT NULL,
    output_label     VARCHAR(100)     NOT NULL,
    status           VARCHAR(10)      NOT NULL,
    started_millis   BIGINT           NOT NULL,
    last_millis      BIGINT           NOT NULL,
    ended_millis     BIGINT,
    last_risk        DOUBLE PRECISION NOT NULL,
    updated_millis   BIGINT           NOT NULL
);
CREATE INDEX alert_episode_key ON alert_episode (subject, model, output_label, started_millis);

-- A result that changes over time (an alert's Flag) keeps its engine identifier; its revision (the score time it
-- reflects) decides whether a newer copy replaces the queued one and is sent again, so a replay of older scores
-- never overwrites a newer state. NULL: the result never changes (everything else).
ALTER TABLE fhir_outbox ADD COLUMN revision BIGINT;
