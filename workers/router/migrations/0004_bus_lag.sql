-- How far behind each bus shard runs, as its router last measured it: the gateway admits orders by
-- the worst of them. (Replaces `lag`, which held one row for the one bus; a later release drops it.)
CREATE TABLE bus_lag (
  shard INTEGER PRIMARY KEY,
  lag_ms INTEGER NOT NULL,
  measured_at TEXT NOT NULL
);
