import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/inventory';
import { handlers } from '../../../workers/inventory/consumer';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { events, expectHandlesExactly, tap } from '../../helpers/queues';
import { newProduct } from './products';

const stocked = async (stock: number) => (await newProduct(stock)).sku;

async function deliver(body: unknown) {
  const bus = tap(env.BUS);
  const batch = createMessageBatch('conveyor-inventory-inbox', [message(body, { id: 'm0' })]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, BUS: bus });
  return { result: await getQueueResult(batch, ctx), published: events(bus) };
}

const available = async (sku: string) => (await env.INVENTORY_DO.getByName(sku).read())!.available;

describe('inventory inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('inventory', handlers(env));
  });

  it('reserves every line of a placed order and answers inventory.reserved', async () => {
    const [a, b] = [await stocked(5), await stocked(5)];
    const placed = makeOrderPlaced({
      items: [
        { sku: a, name: 'A', quantity: 2, unitPriceCents: 500 },
        { sku: b, name: 'B', quantity: 1, unitPriceCents: 500 },
      ],
    });
    const { result, published } = await deliver(placed);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(published).toMatchObject([
      { type: 'inventory.reserved', causationId: placed.id, correlationId: placed.correlationId, subject: placed.data.id },
    ]);
    expect([await available(a), await available(b)]).toEqual([3, 4]);
  });

  it('rejects the whole order when one line is short, giving back what it held', async () => {
    const [plenty, scarce] = [await stocked(5), await stocked(1)];
    const placed = makeOrderPlaced({
      items: [
        { sku: plenty, name: 'A', quantity: 2, unitPriceCents: 500 },
        { sku: scarce, name: 'B', quantity: 2, unitPriceCents: 500 },
      ],
    });
    const { published } = await deliver(placed);
    expect(published).toMatchObject([{ type: 'inventory.rejected', data: { reason: 'out_of_stock', skus: [scarce] } }]);
    expect([await available(plenty), await available(scarce)]).toEqual([5, 1]);
  });

  it('answers a redelivered order.placed with the same event id and holds nothing more', async () => {
    const sku = await stocked(5);
    const placed = makeOrderPlaced({ items: [{ sku, name: 'A', quantity: 2, unitPriceCents: 500 }] });
    const first = await deliver(placed);
    const second = await deliver(placed);
    expect(second.published[0]!.id).toBe(first.published[0]!.id);
    expect(await available(sku)).toBe(3);
  });

  it('releases on order.cancelled and commits on order.confirmed', async () => {
    const [kept, cancelled] = [await stocked(5), await stocked(5)];
    const keep = makeOrderPlaced({ items: [{ sku: kept, name: 'A', quantity: 2, unitPriceCents: 500 }] });
    const drop = makeOrderPlaced({ items: [{ sku: cancelled, name: 'B', quantity: 2, unitPriceCents: 500 }] });
    await deliver(keep);
    await deliver(drop);
    const confirmed = await deliver(makeEvent('order.confirmed', { ...keep.data, status: 'confirmed', version: 4 }));
    const released = await deliver(
      makeEvent('order.cancelled', { ...drop.data, status: 'cancelled', cancelReason: 'payment_declined', version: 3 }),
    );
    expect(confirmed.published).toMatchObject([{ type: 'inventory.committed' }]);
    expect(released.published).toMatchObject([{ type: 'inventory.released' }]);
    expect(await env.INVENTORY_DO.getByName(kept).read()).toMatchObject({ stock: 3, available: 3 });
    expect(await env.INVENTORY_DO.getByName(cancelled).read()).toMatchObject({ stock: 5, available: 5 });
  });
});
