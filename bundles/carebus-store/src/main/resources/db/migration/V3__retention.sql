-- When the body of a PROCESSED message was pruned (archived, then removed) by the retention job; metadata stays.
ALTER TABLE message ADD COLUMN pruned_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX message_retention ON message (status, received_at);
