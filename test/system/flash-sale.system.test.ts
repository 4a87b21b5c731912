import { describe, expect, it } from 'vitest';
import type { OrderSnapshot, ProductSnapshot } from '../../shared/events';
import { admin, call, eventually, orderBody, tokenFor } from './client';
import { shop } from './shop';

// A flash sale of one hot SKU whose stock is split into buckets (workers/inventory/buckets.ts).

const STOCK = 24;
const BUCKETS = 4;

/** The order once it is no longer pending. */
async function ended(id: string, as: string) {
  return eventually(async () => {
    const order = (await call<OrderSnapshot>('GET', `/v1/orders/${id}`, { token: as })).body;
    expect(order.status).not.toBe('pending');
    return order;
  }, 30_000);
}

describe('a flash sale of one hot SKU split into buckets', () => {
  it(`sells exactly its ${STOCK} units to customers racing for them over ${BUCKETS} buckets, never one more`, async () => {
    const sku = `FLASH-${crypto.randomUUID().slice(0, 8)}`;
    const created = await call<ProductSnapshot>('PUT', `/v1/admin/products/${sku}`, {
      token: admin(),
      body: { name: 'Flash sale', priceCents: 1000, currency: 'EUR', stock: STOCK, buckets: BUCKETS },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({ stock: STOCK, available: STOCK });
    const { place, product } = shop(() => '');

    // Waves of 40 customers, each placing one order at once, until the shelf is empty: units moving
    // between buckets are in neither for a moment, so a racer may be refused while they move, and
    // the next wave buys them.
    const confirmed: OrderSnapshot[] = [];
    const cancelled: OrderSnapshot[] = [];
    for (let wave = 0; wave < 5; wave++) {
      const shoppers = await Promise.all(Array.from({ length: 40 }, (_, i) => tokenFor(`cust_flash_${wave}_${i}_${sku}`)));
      const placed = await Promise.all(shoppers.map((as) => place(orderBody(sku), {}, as)));
      expect(placed.map((p) => p.status)).toEqual(placed.map(() => 202));
      const finals = await Promise.all(placed.map((p, i) => ended(p.body.id, shoppers[i]!)));
      for (const o of finals) (o.status === 'confirmed' ? confirmed : cancelled).push(o);
      const shelf = await eventually(async () => {
        const p = await product(sku);
        // Never more sold than there were units, at any moment.
        expect(p.stock).toBeGreaterThanOrEqual(0);
        expect(confirmed.length + p.stock).toBeLessThanOrEqual(STOCK);
        return p;
      });
      if (shelf.available === 0 && confirmed.length === STOCK) break;
    }

    expect(confirmed).toHaveLength(STOCK);
    expect(new Set(cancelled.map((o) => o.cancelReason))).toEqual(new Set(['out_of_stock']));
    await eventually(async () => expect(await product(sku)).toMatchObject({ stock: 0, available: 0 }));
    const listed = await eventually(async () => {
      const page = await call<{ items: ProductSnapshot[] }>('GET', `/v1/products?limit=100&cursor=${sku.slice(0, -1)}`);
      const row = page.body.items.find((p) => p.sku === sku)!;
      expect(row).toMatchObject({ stock: 0, available: 0 });
      return row;
    });
    expect(listed.sku).toBe(sku);
  }, 180_000);
});
