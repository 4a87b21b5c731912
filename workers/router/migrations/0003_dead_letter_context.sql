-- What a dead letter is about, at a glance: the order, and for a webhook delivery the endpoint it could not reach.
ALTER TABLE dead_letters ADD COLUMN order_id TEXT;
ALTER TABLE dead_letters ADD COLUMN endpoint TEXT;
CREATE INDEX dead_letters_page ON dead_letters (status, last_at DESC, id DESC);
