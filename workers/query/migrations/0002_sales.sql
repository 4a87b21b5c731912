-- One row per order line, for sales per SKU per day; the report sums lines of orders that sold.
CREATE TABLE order_lines (
  order_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  day TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (order_id, sku)
);
CREATE INDEX order_lines_by_day ON order_lines (day, sku);
