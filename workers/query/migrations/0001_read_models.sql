-- Orders per customer and per status, newest first.
CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  status TEXT NOT NULL,
  total_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  items TEXT NOT NULL,
  cancel_reason TEXT,
  version INTEGER NOT NULL,
  placed_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_by_customer_status ON orders (customer_id, status, placed_at DESC, id DESC);

-- Every event, by the aggregate it is about: an order's timeline across services.
CREATE TABLE timeline (
  event_id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX timeline_by_subject ON timeline (subject, occurred_at);

-- How fresh the read models are.
CREATE TABLE freshness (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_at TEXT NOT NULL,
  projected_at TEXT NOT NULL
);
