import type { ProductSnapshot } from '../../shared/events';

interface Row {
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  stock: number;
  available: number;
  version: number;
}

const toProduct = (r: Row): ProductSnapshot => ({
  sku: r.sku,
  name: r.name,
  priceCents: r.price_cents,
  currency: r.currency,
  stock: r.stock,
  available: r.available,
  version: r.version,
});

/** Writes the listing row of a SKU; an older version never overwrites a newer one. */
export async function writeListing(db: D1Database, p: ProductSnapshot): Promise<void> {
  await db
    .prepare(
      `INSERT INTO products (sku, name, price_cents, currency, stock, available, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (sku) DO UPDATE SET name = ?2, price_cents = ?3, currency = ?4, stock = ?5, available = ?6, version = ?7
       WHERE excluded.version > products.version`,
    )
    .bind(p.sku, p.name, p.priceCents, p.currency, p.stock, p.available, p.version)
    .run();
}

/** One page of the catalog in SKU order, after `cursor` (the last SKU of the previous page). */
export async function listProducts(db: D1Database, limit: number, cursor?: string) {
  const { results } = await db
    .prepare('SELECT * FROM products WHERE sku > ?1 ORDER BY sku LIMIT ?2')
    .bind(cursor ?? '', limit + 1)
    .all<Row>();
  const items = results.slice(0, limit).map(toProduct);
  return { items, nextCursor: results.length > limit ? (items.at(-1)?.sku ?? null) : null };
}
