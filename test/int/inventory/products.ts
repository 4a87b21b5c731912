import { env } from 'cloudflare:workers';
import { shardOf } from '../../../shared/shard';
import { Stockroom } from '../../../workers/inventory/stockroom';
import { traceparent } from '../../helpers/fixtures';

/** A new product with a SKU unique to the test, and its InventoryDO. */
export async function newProduct(stock: number) {
  const sku = `SKU-${crypto.randomUUID().slice(0, 8)}`;
  const stub = env.INVENTORY_DO.getByName(sku);
  await stub.upsert({ sku, name: 'Thing', priceCents: 500, currency: 'EUR', stock }, traceparent);
  return { sku, stub };
}

/** A new product whose stock is split over `buckets` buckets (a hot SKU), through the catalog's own path. */
export async function newHotProduct(stock: number, buckets: number) {
  const sku = `HOT-${crypto.randomUUID().slice(0, 8)}`;
  const room = new Stockroom(env);
  await room.upsert(sku, { name: 'Hot thing', priceCents: 500, currency: 'EUR', stock, buckets }, traceparent);
  return { sku, room };
}

/** An order id whose lines try bucket `bucket` of `buckets` first. */
export function orderFirstIn(bucket: number, buckets: number): string {
  for (;;) {
    const id = crypto.randomUUID();
    if (shardOf(id, buckets) === bucket) return id;
  }
}
