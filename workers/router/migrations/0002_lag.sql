-- How far behind the platform runs, as the router last measured it: the gateway admits orders by it.
CREATE TABLE lag (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  lag_ms INTEGER NOT NULL,
  measured_at TEXT NOT NULL
);
