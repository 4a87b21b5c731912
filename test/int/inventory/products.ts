import { env } from 'cloudflare:workers';
import { traceparent } from '../../helpers/fixtures';

/** A new product with a SKU unique to the test, and its InventoryDO. */
export async function newProduct(stock: number) {
  const sku = `SKU-${crypto.randomUUID().slice(0, 8)}`;
  const stub = env.INVENTORY_DO.getByName(sku);
  await stub.upsert({ sku, name: 'Thing', priceCents: 500, currency: 'EUR', stock }, traceparent);
  return { sku, stub };
}
