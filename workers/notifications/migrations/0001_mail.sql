-- The local mail sink: every message the service sent, once per causing event.
CREATE TABLE mail (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX mail_by_time ON mail (created_at DESC);
