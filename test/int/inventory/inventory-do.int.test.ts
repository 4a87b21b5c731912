import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { KEEP_SETTLED_HOLDS_MS, MAX_ORDER_AGE_MS } from '../../../workers/inventory/inventory-do';
import { traceparent } from '../../helpers/fixtures';
import { newProduct } from './products';

const product = newProduct;

describe('InventoryDO', () => {
  it('creates a product and lists it with its availability', async () => {
    const { sku, stub } = await product(7);
    expect(await stub.read()).toEqual({
      sku,
      name: 'Thing',
      priceCents: 500,
      currency: 'EUR',
      stock: 7,
      available: 7,
      version: 1,
    });
    const row = await env.DB.prepare('SELECT stock, available, version FROM products WHERE sku = ?').bind(sku).first();
    expect(row).toEqual({ stock: 7, available: 7, version: 1 });
  });

  it('holds stock per order at most once', async () => {
    const { stub } = await product(5);
    const order = crypto.randomUUID();
    expect(await stub.reserve(order, 2, new Date().toISOString())).toBe('held');
    expect(await stub.reserve(order, 2, new Date().toISOString())).toBe('held');
    expect(await stub.read()).toMatchObject({ stock: 5, available: 3 });
  });

  it('rejects a hold larger than what is available, and keeps answering rejected', async () => {
    const { stub } = await product(1);
    const order = crypto.randomUUID();
    expect(await stub.reserve(order, 2, new Date().toISOString())).toBe('rejected');
    await stub.upsert({ sku: (await stub.read())!.sku, name: 'Thing', priceCents: 500, currency: 'EUR', stock: 10 }, traceparent);
    expect(await stub.reserve(order, 2, new Date().toISOString())).toBe('rejected');
  });

  it('gives stock back on release, once', async () => {
    const { stub } = await product(5);
    const order = crypto.randomUUID();
    await stub.reserve(order, 3, new Date().toISOString());
    expect(await stub.release(order, 3)).toBe('released');
    expect(await stub.release(order, 3)).toBe('released');
    expect(await stub.read()).toMatchObject({ stock: 5, available: 5 });
  });

  it('refuses a hold that arrives after the order was released', async () => {
    const { stub } = await product(5);
    const order = crypto.randomUUID();
    expect(await stub.release(order, 1)).toBe('barred');
    expect(await stub.reserve(order, 1, new Date().toISOString())).toBe('barred');
    expect(await stub.read()).toMatchObject({ available: 5 });
  });

  it('takes committed stock off the shelf', async () => {
    const { stub } = await product(5);
    const order = crypto.randomUUID();
    await stub.reserve(order, 2, new Date().toISOString());
    expect(await stub.commit(order, 2)).toBe('committed');
    expect(await stub.commit(order, 2)).toBe('committed');
    expect(await stub.read()).toMatchObject({ stock: 3, available: 3 });
  });

  it('never oversells: 64 concurrent orders for the last 5 units hold exactly 5', async () => {
    const { stub } = await product(5);
    const outcomes = await Promise.all(
      Array.from({ length: 64 }, () => stub.reserve(crypto.randomUUID(), 1, new Date().toISOString())),
    );
    expect(outcomes.filter((o) => o === 'held')).toHaveLength(5);
    expect(await stub.read()).toMatchObject({ stock: 5, available: 0 });
  });

  it('keeps holds when stock is counted again', async () => {
    const { sku, stub } = await product(5);
    await stub.reserve(crypto.randomUUID(), 4, new Date().toISOString());
    await stub.upsert({ sku, name: 'Thing', priceCents: 500, currency: 'EUR', stock: 6 }, traceparent);
    expect(await stub.read()).toMatchObject({ stock: 6, available: 2, version: 3 });
  });
});

describe('InventoryDO against replays (issue 7, defect 1)', () => {
  it('never gives back a sale when order.placed is replayed after the order confirmed', async () => {
    const { stub } = await product(3);
    const order = crypto.randomUUID();
    const placedAt = new Date().toISOString();
    await stub.reserve(order, 3, placedAt);
    await stub.commit(order, 3);
    // The replayed order.placed: the hold answers where it stands, and the all-or-nothing path has nothing to undo.
    expect(await stub.reserve(order, 3, placedAt)).toBe('committed');
    expect(await stub.undo(order)).toBe('committed');
    expect(await stub.read()).toMatchObject({ stock: 0, available: 0 });
  });

  it('ignores an order.placed older than the holds are kept', async () => {
    const { stub } = await product(3);
    expect(await stub.reserve(crypto.randomUUID(), 1, '2020-01-01T00:00:00.000Z')).toBeNull();
    expect(await stub.read()).toMatchObject({ available: 3 });
  });
});

describe('InventoryDO holds over time', () => {
  // vitest.config.ts gives the inventory project RESERVATION_TTL_SECONDS=1.
  it('frees a hold whose order never confirmed once it expires', async () => {
    const { stub } = await newProduct(5);
    const order = crypto.randomUUID();
    await stub.reserve(order, 4, new Date().toISOString());
    expect(await stub.read()).toMatchObject({ available: 1 });
    await vi.waitFor(async () => expect(await stub.read()).toMatchObject({ available: 5 }), { timeout: 5_000, interval: 50 });
    expect(await stub.reserve(order, 4, new Date().toISOString())).toBe('expired');
  }, 10_000);

  it('takes an expired hold again on commit while the units are still there', async () => {
    const { stub } = await newProduct(5);
    const order = crypto.randomUUID();
    await stub.reserve(order, 2, new Date().toISOString());
    await vi.waitFor(async () => expect(await stub.read()).toMatchObject({ available: 5 }), { timeout: 5_000, interval: 50 });
    expect(await stub.commit(order, 2)).toBe('committed');
    expect(await stub.read()).toMatchObject({ stock: 3, available: 3 });
  }, 10_000);

  it('keeps a committed sale when its hold would have expired', async () => {
    const { stub } = await newProduct(5);
    const order = crypto.randomUUID();
    await stub.reserve(order, 2, new Date().toISOString());
    await stub.commit(order, 2);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await stub.read()).toMatchObject({ stock: 3, available: 3 });
  }, 10_000);

  it('returns sold units to the shelf when a confirmed order is cancelled, once', async () => {
    const { stub } = await newProduct(5);
    const order = crypto.randomUUID();
    await stub.reserve(order, 2, new Date().toISOString());
    await stub.commit(order, 2);
    expect(await stub.release(order, 2)).toBe('returned');
    expect(await stub.release(order, 2)).toBe('returned');
    expect(await stub.read()).toMatchObject({ stock: 5, available: 5 });
  });
});

describe('InventoryDO retention', () => {
  it('forgets settled holds older than 30 days with the next change, and never holds their order again', async () => {
    const { stub } = await product(5);
    const old = crypto.randomUUID();
    const live = crypto.randomUUID();
    await stub.reserve(old, 1, new Date().toISOString());
    await stub.commit(old, 1);
    await stub.reserve(live, 1, new Date().toISOString());
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        'UPDATE reservations SET updated_at = ? WHERE order_id = ?',
        new Date(Date.now() - KEEP_SETTLED_HOLDS_MS - 1).toISOString(),
        old,
      );
    });
    await stub.reserve(crypto.randomUUID(), 1, new Date().toISOString());
    const orders = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql
        .exec<{ order_id: string }>('SELECT order_id FROM reservations')
        .toArray()
        .map((r) => r.order_id),
    );
    expect(orders).not.toContain(old);
    expect(orders).toContain(live);
    // Its order.placed, replayed now, is older than holds are kept: it holds nothing again.
    expect(await stub.reserve(old, 1, new Date(Date.now() - MAX_ORDER_AGE_MS - 1).toISOString())).toBeNull();
    expect(await stub.read()).toMatchObject({ stock: 4, available: 2 });
  });
});
