-- The orders service's replica of the catalog, fed by product.upserted.
CREATE TABLE catalog (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  currency TEXT NOT NULL,
  version INTEGER NOT NULL
);
