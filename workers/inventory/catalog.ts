import type { ProductSnapshot } from '../../shared/events';
import { type Split, WHOLE } from './buckets';

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

/**
 * Writes one bucket's listing row of a SKU (bucket 0, the SKU's own object, writes the product
 * row with how the SKU is split); an older version never overwrites a newer one.
 */
export async function writeListing(
  db: D1Database,
  p: ProductSnapshot,
  where: { bucket: number; split: Split } = { bucket: 0, split: WHOLE },
): Promise<void> {
  if (where.bucket > 0) {
    await db
      .prepare(
        `INSERT INTO stock_buckets (sku, bucket, stock, available, version) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (sku, bucket) DO UPDATE SET stock = ?3, available = ?4, version = ?5 WHERE excluded.version > stock_buckets.version`,
      )
      .bind(p.sku, where.bucket, p.stock, p.available, p.version)
      .run();
    return;
  }
  await db
    .prepare(
      `INSERT INTO products (sku, name, price_cents, currency, stock, available, version, buckets, max_buckets)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
       ON CONFLICT (sku) DO UPDATE SET name = ?2, price_cents = ?3, currency = ?4, stock = ?5, available = ?6, version = ?7,
         buckets = ?8, max_buckets = ?9
       WHERE excluded.version > products.version`,
    )
    .bind(p.sku, p.name, p.priceCents, p.currency, p.stock, p.available, p.version, where.split.buckets, where.split.maxBuckets)
    .run();
}

/** One page of the catalog in SKU order, after `cursor` (the last SKU of the previous page); a split SKU's buckets summed. */
export async function listProducts(db: D1Database, limit: number, cursor?: string) {
  const { results } = await db
    .prepare(
      `SELECT p.sku, p.name, p.price_cents, p.currency, p.version,
         p.stock + coalesce(sum(b.stock), 0) AS stock, p.available + coalesce(sum(b.available), 0) AS available
       FROM products p LEFT JOIN stock_buckets b ON b.sku = p.sku
       WHERE p.sku > ?1 GROUP BY p.sku ORDER BY p.sku LIMIT ?2`,
    )
    .bind(cursor ?? '', limit + 1)
    .all<Row>();
  const items = results.slice(0, limit).map(toProduct);
  return { items, nextCursor: results.length > limit ? (items.at(-1)?.sku ?? null) : null };
}

/** How each of `skus` is split, as the listing says (a SKU not listed yet is whole). */
export async function readSplits(db: D1Database, skus: readonly string[]): Promise<Map<string, Split>> {
  const { results } = await db
    .prepare('SELECT sku, buckets, max_buckets FROM products WHERE sku IN (SELECT value FROM json_each(?1))')
    .bind(JSON.stringify(skus))
    .all<{ sku: string; buckets: number; max_buckets: number }>();
  const splits = new Map(skus.map((sku) => [sku, WHOLE]));
  for (const r of results) splits.set(r.sku, { buckets: r.buckets, maxBuckets: r.max_buckets });
  return splits;
}
