-- Problems intake found in a message it accepted all the same (lenient HL7v2 validation): where, what, and the length
-- of the offending value, never the value (PHI). warning_count on the message row lets the browser filter and list
-- without a join.
ALTER TABLE message ADD COLUMN warning_count INTEGER DEFAULT 0 NOT NULL;

CREATE TABLE message_warning (
    message_id    BIGINT        NOT NULL REFERENCES message (id),
    seq           INTEGER       NOT NULL,
    location      VARCHAR(60)   NOT NULL,
    problem       VARCHAR(400)  NOT NULL,
    value_length  INTEGER,
    PRIMARY KEY (message_id, seq)
);
