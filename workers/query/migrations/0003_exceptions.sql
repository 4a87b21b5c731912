-- Orders an operator must look at: a step overdue, or goods dispatched after the shipment was called off.
CREATE TABLE exceptions (
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  steps TEXT NOT NULL,
  flagged_at TEXT NOT NULL,
  PRIMARY KEY (order_id, kind)
);
CREATE INDEX exceptions_by_time ON exceptions (flagged_at DESC);
