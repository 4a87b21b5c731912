-- The dead-letter console: every message any dead-letter queue received, why, and what became of it.
CREATE TABLE dead_letters (
  id TEXT PRIMARY KEY,
  queue TEXT NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  body TEXT NOT NULL,
  event_id TEXT,
  event_type TEXT,
  status TEXT NOT NULL,
  times INTEGER NOT NULL DEFAULT 1,
  first_at TEXT NOT NULL,
  last_at TEXT NOT NULL,
  redriven_at TEXT
);
CREATE INDEX dead_letters_by_status ON dead_letters (status, last_at DESC);
