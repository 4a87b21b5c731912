-- The read models keyed without a rowid: a row is written once, not once more for its key.
--
-- The timeline keyed by the order and the event id, with no index beside it: an event is one row
-- written instead of three (table, primary-key index, index by order), 16 fewer per confirmed
-- order. An event id names one fact of one order, so the key still dedups redelivered and repeated
-- events, and an order's timeline is one range of the key. The release that sorted the timeline by
-- rowid is storage generation 1; every later one sorts by (occurred_at, event_id), and
-- `npm run deploy` refuses to go back to generation 1 (README, "Rollback").
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

-- An order, and each of its lines, keyed by its id: one row and its indexes, not a key index too.
CREATE TABLE orders_by_id (
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
) WITHOUT ROWID;
INSERT INTO orders_by_id SELECT id, customer_id, status, total_cents, currency, items, cancel_reason, version, placed_at, updated_at
  FROM orders;
DROP TABLE orders;
ALTER TABLE orders_by_id RENAME TO orders;
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_by_customer_status ON orders (customer_id, status, placed_at DESC, id DESC);

CREATE TABLE order_lines_by_order (
  order_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  day TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (order_id, sku)
) WITHOUT ROWID;
INSERT INTO order_lines_by_order SELECT order_id, sku, day, quantity, revenue_cents, currency, status, version FROM order_lines;
DROP TABLE order_lines;
ALTER TABLE order_lines_by_order RENAME TO order_lines;
CREATE INDEX order_lines_by_day ON order_lines (day, sku);
