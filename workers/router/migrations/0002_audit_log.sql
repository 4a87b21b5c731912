-- Every admin action through the gateway: who (operator and key), what, when, and the outcome.
-- Rows are only ever added.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  key_id TEXT NOT NULL,
  action TEXT NOT NULL,
  scope TEXT,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  target TEXT,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at DESC, id DESC);
