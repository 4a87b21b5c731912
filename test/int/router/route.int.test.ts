import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Event, eventTypes } from '../../../shared/events';
import { pack } from '../../../shared/packet';
import { type Subscriber, subscribers, subscribersOf } from '../../../shared/subscriptions';
import { type Inboxes, inboxes, route } from '../../../workers/router/route';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { events, type Tap, tap } from '../../helpers/queues';
import { sampleEvents } from '../../helpers/samples';

const realInboxes = inboxes(env);

function tappedInboxes(failing: Subscriber[] = []) {
  return Object.fromEntries(subscribers.map((s) => [s, tap(realInboxes[s], { fail: failing.includes(s) })])) as Record<
    Subscriber,
    Tap
  >;
}

async function routeBatch(bodies: unknown[], inboxes: Inboxes, deadLetters: Queue = env.DEAD_LETTERS) {
  const batch = createMessageBatch(
    'conveyor-bus',
    bodies.map((b, i) => message(b, { id: `m${i}` })),
  );
  const ctx = createExecutionContext();
  await route(batch, inboxes, env.ARCHIVE, { deadLetters });
  return getQueueResult(batch, ctx);
}

const { payment: _, ...confirmedOrder } = makeOrder({ status: 'confirmed', version: 4 });

describe('event router', () => {
  it('routes every event type to exactly its subscribers, patterns included', async () => {
    const sample = sampleEvents();
    expect(new Set(sample.map((e) => e.type))).toEqual(new Set(eventTypes));
    const inboxes = tappedInboxes();
    const result = await routeBatch(sample, inboxes);
    expect(result.explicitAcks).toHaveLength(sample.length);
    for (const s of subscribers) {
      const expected = sample.filter((e) => subscribersOf(e.type).includes(s)).map((e) => e.type);
      expect(
        events(inboxes[s]).map((e) => e.type),
        s,
      ).toEqual(expected);
    }
    // Pattern subscriptions: notifications hears order.* (and customer.erased), the read side hears everything.
    expect(
      events(inboxes.notifications)
        .map((e) => e.type)
        .filter((t) => !t.startsWith('order.')),
    ).toEqual(['customer.erased']);
    expect(events(inboxes.query)).toHaveLength(sample.length);
    // One packet per subscriber for the whole batch.
    for (const s of subscribers) expect(inboxes[s].sent, s).toHaveLength(1);
  });

  it('sends each event to exactly its subscribers', async () => {
    const sample: Event[] = [
      makeOrderPlaced(),
      makeEvent('order.confirmed', confirmedOrder),
      makeEvent('payment.authorized', { orderId: confirmedOrder.id, paymentId: 'p', amountCents: 1, currency: 'EUR' }),
      makeEvent('product.upserted', { sku: 'A', name: 'A', priceCents: 1, currency: 'EUR', stock: 1, available: 1, version: 1 }),
    ];
    const inboxes = tappedInboxes();
    const result = await routeBatch(sample, inboxes);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2', 'm3']);
    for (const s of subscribers) {
      const expected = sample.filter((e) => subscribersOf(e.type).includes(s)).map((e) => e.id);
      expect(
        events(inboxes[s]).map((e) => e.id),
        s,
      ).toEqual(expected);
    }
    expect(events(inboxes.shipping).map((e) => e.type)).toEqual(['order.confirmed']);
  });

  it('archives every routed event as NDJSON under its hour', async () => {
    const event = makeOrderPlaced();
    await routeBatch([event], tappedInboxes());
    const hour = event.occurredAt.slice(0, 13).replace(/[-T]/g, '/');
    const listed = await env.ARCHIVE.list({ prefix: `events/${hour}/` });
    const bodies = await Promise.all(listed.objects.map(async (o) => (await env.ARCHIVE.get(o.key))!.text()));
    const archived = bodies.flatMap((b) =>
      b
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Event),
    );
    expect(archived.map((e) => e.id)).toContain(event.id);
  });

  it('dead-letters an invalid event with its reason and routes nothing for it', async () => {
    const inboxes = tappedInboxes();
    const deadLetters = tap(env.DEAD_LETTERS);
    const result = await routeBatch([{ ...makeOrderPlaced(), schemaVersion: 'one' }], inboxes, deadLetters);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(deadLetters.sent).toMatchObject([
      { deadLetter: { queue: 'conveyor-bus', reason: expect.stringContaining('schemaVersion') } },
    ]);
    expect(subscribers.map((s) => inboxes[s].sent.length)).toEqual(subscribers.map(() => 0));
  });

  it('retries only the messages bound for a failing inbox', async () => {
    const inboxes = tappedInboxes(['shipping']);
    const result = await routeBatch([makeOrderPlaced(), makeEvent('order.confirmed', confirmedOrder)], inboxes);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m1']);
    expect(events(inboxes.payments)).toHaveLength(2);
  });

  it('packs a batch of 250 into as few messages as fit 128 KB each', async () => {
    const placed = Array.from({ length: 250 }, () => makeOrderPlaced());
    const inboxes = tappedInboxes();
    const result = await routeBatch(placed, inboxes);
    expect(result.explicitAcks).toHaveLength(250);
    expect(events(inboxes.inventory)).toHaveLength(250);
    const bytes = placed.reduce((n, e) => n + JSON.stringify(e).length, 0);
    expect(inboxes.inventory.sent).toHaveLength(Math.ceil(bytes / 120_000));
    for (const packet of inboxes.inventory.sent) expect(JSON.stringify(packet).length).toBeLessThanOrEqual(128_000);
  });

  it('unpacks packets from the bus and sends a fact sent twice once', async () => {
    const placed = makeOrderPlaced();
    const confirmed = makeEvent('order.confirmed', confirmedOrder);
    const inboxes = tappedInboxes();
    const result = await routeBatch([{ events: [placed, confirmed] }, placed], inboxes);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1']);
    expect(events(inboxes.payments).map((e) => e.id)).toEqual([placed.id, confirmed.id]);
    expect(events(inboxes.shipping).map((e) => e.id)).toEqual([confirmed.id]);
  });

  it('dead-letters only the invalid event of a packet and routes the rest', async () => {
    const placed = makeOrderPlaced();
    const inboxes = tappedInboxes();
    const deadLetters = tap(env.DEAD_LETTERS);
    const result = await routeBatch([{ events: [placed, { ...makeOrderPlaced(), source: 'inventory' }] }], inboxes, deadLetters);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(deadLetters.sent).toMatchObject([{ deadLetter: { reason: expect.stringContaining('inventory may not publish') } }]);
    expect(events(inboxes.inventory).map((e) => e.id)).toEqual([placed.id]);
  });

  it('splits packets by size', () => {
    const big = Array.from({ length: 10 }, () =>
      makeOrderPlaced({
        items: Array.from({ length: 50 }, (_, i) => ({
          sku: `SKU-${i}`,
          name: 'x'.repeat(1000),
          quantity: 1,
          unitPriceCents: 1,
        })),
      }),
    );
    const packets = pack(big);
    expect(packets.length).toBeGreaterThan(1);
    for (const packet of packets) expect(JSON.stringify({ events: packet }).length).toBeLessThanOrEqual(128_000);
    expect(packets.flat()).toHaveLength(10);
  });
});
