-- Hot-SKU buckets: how each SKU is split (the inventory consumer reads this to find a line's
-- buckets), and one row per further bucket (1 … K-1) of a split SKU; a product's stock and
-- availability as listed are its own row's plus its buckets'.
ALTER TABLE products ADD COLUMN buckets INTEGER NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN max_buckets INTEGER NOT NULL DEFAULT 1;
CREATE TABLE stock_buckets (
  sku TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  stock INTEGER NOT NULL,
  available INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (sku, bucket)
);
