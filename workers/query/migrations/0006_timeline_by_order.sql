-- The timeline keyed by the order and the event id, without a rowid and a second index beside it:
-- an event is one row written instead of three (table, primary-key index, index by order). An
-- event id names one fact of one order, so the key still dedups redelivered and repeated events.
CREATE TABLE timeline_by_order (
  subject TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (subject, event_id)
) WITHOUT ROWID;
INSERT INTO timeline_by_order (subject, event_id, type, source, occurred_at, data)
  SELECT subject, event_id, type, source, occurred_at, data FROM timeline;
DROP TABLE timeline;
ALTER TABLE timeline_by_order RENAME TO timeline;
