-- The catalog as listed: one row per SKU, written by its InventoryDO after every change.
CREATE TABLE products (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  stock INTEGER NOT NULL,
  available INTEGER NOT NULL,
  version INTEGER NOT NULL
);
