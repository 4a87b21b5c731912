import type { DataOf } from '../../shared/events';
import type { Price } from './pricing';

/** The prices of `skus` as last seen in product.upserted events. */
export async function readPrices(db: D1Database, skus: string[]): Promise<Map<string, Price>> {
  const { results } = await db
    .prepare(`SELECT sku, name, price_cents, currency FROM catalog WHERE sku IN (SELECT value FROM json_each(?))`)
    .bind(JSON.stringify(skus))
    .all<{ sku: string; name: string; price_cents: number; currency: string }>();
  return new Map(results.map((r) => [r.sku, { name: r.name, priceCents: r.price_cents, currency: r.currency }]));
}

/** Keeps the replica in step; an older version never overwrites a newer one, so redelivery is harmless. */
export async function applyProductUpserted(db: D1Database, product: DataOf<'product.upserted'>): Promise<void> {
  await db
    .prepare(
      `INSERT INTO catalog (sku, name, price_cents, currency, version) VALUES (?1, ?2, ?3, ?4, ?5)
       ON CONFLICT (sku) DO UPDATE SET name = ?2, price_cents = ?3, currency = ?4, version = ?5
       WHERE excluded.version > catalog.version`,
    )
    .bind(product.sku, product.name, product.priceCents, product.currency, product.version)
    .run();
}
