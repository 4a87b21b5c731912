import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bucketName } from '../../../workers/inventory/buckets';
import { handlers } from '../../../workers/inventory/consumer';
import { makeEvent, makeOrderPlaced } from '../../helpers/events';
import { traceparent } from '../../helpers/fixtures';
import { newHotProduct, orderFirstIn } from './products';

const now = () => new Date().toISOString();
const line = (sku: string, quantity = 1) => ({ sku, quantity });

/** Every bucket's own stock, in bucket order. */
async function buckets(sku: string, k: number) {
  return Promise.all(Array.from({ length: k }, (_, i) => env.INVENTORY_DO.getByName(bucketName(sku, i)).read()));
}

/** Every hold of `orderId` on the SKU, in any bucket, by bucket. */
async function holdsOf(sku: string, k: number, orderId: string) {
  const found: Record<number, string> = {};
  for (let i = 0; i < k; i++) {
    const rows = await runInDurableObject(env.INVENTORY_DO.getByName(bucketName(sku, i)), (_o, state) =>
      state.storage.sql.exec<{ status: string }>('SELECT status FROM reservations WHERE order_id = ?', orderId).toArray(),
    );
    if (rows[0]) found[i] = rows[0].status;
  }
  return found;
}

/** The transfers bucket `k` sent or received. */
async function transfersOf(sku: string, k: number) {
  return runInDurableObject(env.INVENTORY_DO.getByName(bucketName(sku, k)), (_o, state) =>
    state.storage.sql
      .exec<{ id: string; direction: string; peer: number; units: number; status: string }>(
        'SELECT id, direction, peer, units, status FROM transfers ORDER BY updated_at',
      )
      .toArray(),
  );
}

describe('a hot SKU split into buckets', () => {
  it('shares the stock among its buckets and shows their sum to customers', async () => {
    const { sku, room } = await newHotProduct(10, 4);
    expect((await buckets(sku, 4)).map((b) => b!.stock)).toEqual([3, 3, 2, 2]);
    expect(await room.read(sku)).toMatchObject({ sku, stock: 10, available: 10 });
    const listed = await env.DB.prepare(
      `SELECT p.buckets, p.stock + (SELECT sum(stock) FROM stock_buckets b WHERE b.sku = p.sku) AS stock FROM products p WHERE sku = ?`,
    )
      .bind(sku)
      .first();
    expect(listed).toEqual({ buckets: 4, stock: 10 });
  });

  it('never oversells: 64 concurrent orders for the last 5 units over 4 buckets hold exactly 5', async () => {
    const { sku, room } = await newHotProduct(5, 4);
    const holds = await Promise.all(Array.from({ length: 64 }, () => room.reserve(crypto.randomUUID(), line(sku), now())));
    expect(holds.filter((h) => h.status === 'held')).toHaveLength(5);
    // Rebalancing may have units in flight between buckets: the buckets can only under-state.
    const shown = (await room.read(sku))!;
    expect(shown.available).toBe(0);
    expect(shown.stock).toBeLessThanOrEqual(5);
  });

  it('never oversells through the inbox consumer either, and sells exactly the stock while orders keep coming', async () => {
    const { sku, room } = await newHotProduct(7, 3);
    const on = handlers(env);
    const order = () => makeOrderPlaced({ items: [{ sku, name: 'Hot', quantity: 1, unitPriceCents: 500 }] });
    const placed: ReturnType<typeof order>[] = [];
    const held = async () => {
      const statuses = await Promise.all(placed.map(async (e) => Object.values(await holdsOf(sku, 3, e.data.id))));
      // No line is ever held in two buckets.
      for (const s of statuses) expect(s.filter((x) => x === 'held').length).toBeLessThanOrEqual(1);
      return statuses.filter((s) => s.includes('held')).length;
    };
    const race = async (n: number) => {
      const wave = Array.from({ length: n }, order);
      placed.push(...wave);
      await Promise.all(wave.map((e) => on['order.placed']!(e)));
    };
    await race(64);
    // Units moving between buckets were in neither for a moment, so a racer may have been refused
    // while they moved; never was more than the stock held, and nothing is lost.
    const first = await held();
    expect(first).toBeLessThanOrEqual(7);
    expect(first + (await room.read(sku))!.available).toBe(7);
    for (let i = 0; i < 5 && (await room.read(sku))!.available > 0; i++) await race(8);
    expect(await held()).toBe(7);
    expect(await room.read(sku)).toMatchObject({ stock: 7, available: 0 });
  });

  it('holds a line in the next bucket when its own is short, all or nothing', async () => {
    const { sku, room } = await newHotProduct(4, 2);
    // Each bucket has 2; an order of 3 fits neither, an order of 2 fits one.
    const big = await room.reserve(orderFirstIn(0, 2), line(sku, 3), now());
    expect(big.status).toBe('rejected');
    const order = orderFirstIn(0, 2);
    await room.reserve(orderFirstIn(0, 2), line(sku, 2), now());
    const fallback = await room.reserve(order, line(sku, 2), now());
    expect(fallback).toMatchObject({ status: 'held', bucket: 1 });
    expect(await holdsOf(sku, 2, order)).toEqual({ 0: 'rejected', 1: 'held' });
    // Asked again (a redelivery), the line walks the same way and stops where it is held.
    expect(await room.reserve(order, line(sku, 2), now())).toMatchObject({ status: 'held', bucket: 1 });
  });

  it('commits and releases a line in the bucket where it is held', async () => {
    const { sku, room } = await newHotProduct(4, 2);
    await room.reserve(orderFirstIn(0, 2), line(sku, 2), now());
    const sold = orderFirstIn(0, 2);
    await room.reserve(sold, line(sku, 1), now());
    expect(await room.commit(sold, line(sku, 1))).toMatchObject({ status: 'committed', bucket: 1 });
    expect(await room.release(sold, line(sku, 1))).toMatchObject({ status: 'returned', bucket: 1 });
    expect(await room.read(sku)).toMatchObject({ stock: 4, available: 2 });
  });

  it('bars the bucket a line would try first when the cancel comes before the hold', async () => {
    const { sku, room } = await newHotProduct(10, 3);
    const order = orderFirstIn(2, 3);
    expect(await room.release(order, line(sku))).toMatchObject({ status: 'barred', bucket: 2 });
    expect(await room.reserve(order, line(sku), now())).toMatchObject({ status: 'barred', bucket: 2 });
    expect((await room.read(sku))!.available).toBe(10);
  });

  it('answers rejected for a cancelled line every bucket refused, and bars nothing more', async () => {
    const { sku, room } = await newHotProduct(2, 2);
    const order = orderFirstIn(1, 2);
    expect(await room.reserve(order, line(sku, 2), now())).toMatchObject({ status: 'rejected' });
    expect(await room.release(order, line(sku, 2))).toMatchObject({ status: 'rejected' });
    expect(await holdsOf(sku, 2, order)).toEqual({ 0: 'rejected', 1: 'rejected' });
  });
});

describe('rebalancing a hot SKU’s buckets', () => {
  it('moves half the spare units of the bucket that served a line to the bucket that was short, once', async () => {
    const { sku, room } = await newHotProduct(12, 2);
    // Empty bucket 0, so the next order that starts there is served by bucket 1.
    await room.reserve(orderFirstIn(0, 2), line(sku, 6), now());
    const order = orderFirstIn(0, 2);
    expect(await room.reserve(order, line(sku, 2), now())).toMatchObject({ status: 'held', bucket: 1 });
    // Bucket 1 had 6, holds 2 for the order, so it sent 2 of its 4 spare units to bucket 0.
    expect(await transfersOf(sku, 1)).toEqual([
      expect.objectContaining({ direction: 'out', peer: 0, units: 2, status: 'delivered' }),
    ]);
    expect(await transfersOf(sku, 0)).toEqual([
      expect.objectContaining({ direction: 'in', peer: 1, units: 2, status: 'received' }),
    ]);
    expect((await buckets(sku, 2)).map((b) => b!.available)).toEqual([2, 2]);
    expect(await room.read(sku)).toMatchObject({ stock: 12, available: 4 });
    // Asked again for the same line (a redelivered order.placed), nothing moves twice.
    await room.reserve(order, line(sku, 2), now());
    expect(await transfersOf(sku, 1)).toHaveLength(1);
    expect(await room.read(sku)).toMatchObject({ stock: 12, available: 4 });
  });

  it('adds a transfer once however often it is delivered', async () => {
    const { sku, room } = await newHotProduct(8, 2);
    const target = env.INVENTORY_DO.getByName(sku);
    const id = crypto.randomUUID();
    expect(await target.receiveTransfer(id, 1, 3, 1)).toBe('received');
    expect(await target.receiveTransfer(id, 1, 3, 1)).toBe('received');
    expect(await target.read()).toMatchObject({ stock: 7 });
    expect((await room.read(sku))!.stock).toBe(11);
  });

  it('delivers a transfer whose target never answered from its alarm, and nothing is lost meanwhile', async () => {
    const { sku, room } = await newHotProduct(12, 2);
    const source = env.INVENTORY_DO.getByName(bucketName(sku, 1));
    // As if the object died after committing a transfer and before delivering it.
    await runInDurableObject(source, async (_o, state) => {
      state.storage.sql.exec('UPDATE product SET on_hand = on_hand - 3');
      await state.storage.setAlarm(Date.now());
      state.storage.sql.exec(
        `INSERT INTO transfers (id, direction, peer, units, generation, status, updated_at) VALUES (?, 'out', 0, 3, 1, 'sent', ?)`,
        crypto.randomUUID(),
        now(),
      );
    });
    expect(await room.read(sku)).toMatchObject({ stock: 9 });
    expect(await runDurableObjectAlarm(source)).toBe(true);
    expect((await buckets(sku, 2)).map((b) => b!.stock)).toEqual([9, 3]);
    expect(await transfersOf(sku, 1)).toEqual([expect.objectContaining({ status: 'delivered' })]);
    expect(await room.read(sku)).toMatchObject({ stock: 12, available: 12 });
  });

  it('drops a transfer that a newer stock count already counted, so it never adds units twice', async () => {
    const { sku, room } = await newHotProduct(12, 2);
    // The shop counts its stock again (generation 2) while a transfer of generation 1 is on its way.
    await room.upsert(sku, { name: 'Hot thing', priceCents: 500, currency: 'EUR', stock: 20 }, traceparent);
    expect(await env.INVENTORY_DO.getByName(sku).receiveTransfer(crypto.randomUUID(), 1, 3, 1)).toBe('dropped');
    expect(await room.read(sku)).toMatchObject({ stock: 20, available: 20 });
  });

  it('keeps a transfer that arrives before the count it was sent in, and adds it with that count', async () => {
    const { sku, room } = await newHotProduct(8, 2);
    const source = env.INVENTORY_DO.getByName(bucketName(sku, 1));
    const target = env.INVENTORY_DO.getByName(sku);
    const product = { sku, name: 'Hot thing', priceCents: 500, currency: 'EUR' };
    // A count of generation 2 under way: bucket 1 is counted, bucket 0 not yet.
    await source.recount(product, 1, 4, 2);
    expect(await source.sendTransfer(crypto.randomUUID(), 0)).toBe(2);
    expect(await transfersOf(sku, 0)).toEqual([expect.objectContaining({ status: 'parked', units: 2 })]);
    expect(await target.read()).toMatchObject({ stock: 4 });
    await target.recount(product, 0, 4, 2);
    expect(await transfersOf(sku, 0)).toEqual([expect.objectContaining({ status: 'received' })]);
    expect(await room.read(sku)).toMatchObject({ stock: 8, available: 8 });
  });
});

describe('counting a split SKU again', () => {
  it('keeps every bucket’s holds and shares the rest, in total exactly the count', async () => {
    const { sku, room } = await newHotProduct(40, 4);
    const held = await Promise.all(Array.from({ length: 10 }, () => room.reserve(crypto.randomUUID(), line(sku, 2), now())));
    expect(held.every((h) => h.status === 'held')).toBe(true);
    await room.upsert(sku, { name: 'Hot thing', priceCents: 500, currency: 'EUR', stock: 30 }, traceparent);
    expect(await room.read(sku)).toMatchObject({ stock: 30, available: 10 });
    for (const b of await buckets(sku, 4)) expect(b!.stock).toBeGreaterThanOrEqual(0);
  });

  it('finds the lines held before the SKU was split further, and stops holding in buckets taken out', async () => {
    const { sku, room } = await newHotProduct(8, 2);
    const order = orderFirstIn(1, 2);
    await room.reserve(order, line(sku, 1), now());
    // Split into 4, then back into 1: bucket 1 keeps the order's hold until it settles.
    await room.upsert(sku, { name: 'Hot thing', priceCents: 500, currency: 'EUR', stock: 8, buckets: 4 }, traceparent);
    await room.upsert(sku, { name: 'Hot thing', priceCents: 500, currency: 'EUR', stock: 8, buckets: 1 }, traceparent);
    expect((await buckets(sku, 4)).map((b) => b!.stock)).toEqual([7, 1, 0, 0]);
    expect(await room.commit(order, line(sku, 1))).toMatchObject({ status: 'committed', bucket: 1 });
    expect(await room.read(sku)).toMatchObject({ stock: 7, available: 7 });
    const next = await room.reserve(crypto.randomUUID(), line(sku, 7), now());
    expect(next).toMatchObject({ status: 'held', bucket: 0 });
  });

  it('publishes product.upserted with the SKU’s totals', async () => {
    const { sku } = await newHotProduct(9, 3);
    const [upserted] = await runInDurableObject(env.INVENTORY_DO.getByName(sku), (_o, state) =>
      state.storage.sql
        .exec<{ body: string }>("SELECT body FROM outbox WHERE type = 'product.upserted'")
        .toArray()
        .map((r) => JSON.parse(r.body)),
    );
    expect(upserted.data).toMatchObject({ sku, stock: 9, available: 9 });
  });
});

describe('order events for a hot SKU through the inbox consumer', () => {
  it('reserves, commits and releases across buckets, and answers as for any SKU', async () => {
    const { sku, room } = await newHotProduct(6, 3);
    const on = handlers(env);
    const items = [{ sku, name: 'Hot', quantity: 2, unitPriceCents: 500 }];
    const kept = makeOrderPlaced({ items });
    const dropped = makeOrderPlaced({ items });
    await on['order.placed']!(kept);
    await on['order.placed']!(dropped);
    await on['order.confirmed']!(makeEvent('order.confirmed', { ...kept.data, status: 'confirmed', version: 4 }));
    await on['order.cancelled']!(
      makeEvent('order.cancelled', { ...dropped.data, status: 'cancelled', cancelReason: 'customer_request', version: 3 }),
    );
    expect(Object.values(await holdsOf(sku, 3, kept.data.id))).toContain('committed');
    expect(Object.values(await holdsOf(sku, 3, dropped.data.id))).toContain('released');
    expect(await room.read(sku)).toMatchObject({ stock: 4, available: 4 });
  });

  it('holds an order that names the hot SKU on two lines once, for both', async () => {
    const { sku, room } = await newHotProduct(6, 2);
    const placed = makeOrderPlaced({
      items: [
        { sku, name: 'Hot', quantity: 1, unitPriceCents: 500 },
        { sku, name: 'Hot', quantity: 2, unitPriceCents: 500 },
      ],
    });
    await handlers(env)['order.placed']!(placed);
    expect((await room.read(sku))!.available).toBe(3);
  });
});
