import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type Event, eventTypes } from '../../../shared/events';
import { type Subscriber, subscribers, subscribersOf } from '../../../shared/subscriptions';
import { chunks, type Inboxes, inboxes, route } from '../../../workers/router/route';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { type Tap, tap } from '../../helpers/queues';
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
        (inboxes[s].sent as Event[]).map((e) => e.type),
        s,
      ).toEqual(expected);
    }
    // Pattern subscriptions: notifications hears order.*, the read side hears everything.
    expect((inboxes.notifications.sent as Event[]).map((e) => e.type).filter((t) => !t.startsWith('order.'))).toEqual([]);
    expect(inboxes.query.sent).toHaveLength(sample.length);
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
        (inboxes[s].sent as Event[]).map((e) => e.id),
        s,
      ).toEqual(expected);
    }
    expect((inboxes.shipping.sent as Event[]).map((e) => e.type)).toEqual(['order.confirmed']);
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
    expect(inboxes.payments.sent).toHaveLength(2);
  });

  it('fans a batch of 250 out in sendBatch calls of at most 100', async () => {
    const placed = Array.from({ length: 250 }, () => makeOrderPlaced());
    const inboxes = tappedInboxes();
    const result = await routeBatch(placed, inboxes);
    expect(result.explicitAcks).toHaveLength(250);
    expect(inboxes.inventory.sent).toHaveLength(250);
    expect(inboxes.inventory.calls).toBe(3);
  });

  it('splits batches by size as well as by count', () => {
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
    const groups = chunks(big);
    expect(groups.length).toBeGreaterThan(1);
    for (const group of groups) expect(group.reduce((n, e) => n + JSON.stringify(e).length, 0)).toBeLessThanOrEqual(250_000);
    expect(groups.flat()).toHaveLength(10);
  });
});
