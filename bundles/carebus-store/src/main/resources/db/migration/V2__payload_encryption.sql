-- Which key (id) encrypted a payload (AES-256-GCM), or NULL when it is stored in clear.
ALTER TABLE message ADD COLUMN payload_key_id VARCHAR(64);
