import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { archiveEvents } from '../../../shared/archive';
import type { Event } from '../../../shared/events';
import worker from '../../../workers/router';
import { discard, inspect, list, redrive } from '../../../workers/router/dead-letters';
import { replay } from '../../../workers/router/replay';
import { inboxes, route } from '../../../workers/router/route';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { events as sentEvents, tap } from '../../helpers/queues';

describe('routing guards', () => {
  it("dead-letters an event from a service that is not its type's publisher", async () => {
    const deadLetters = tap(env.DEAD_LETTERS, { hold: true });
    const forged = { ...makeOrderPlaced(), source: 'payments' };
    const batch = createMessageBatch('conveyor-bus', [message(forged, { id: 'f' })]);
    const ctx = createExecutionContext();
    await route(batch, inboxes(env), env.ARCHIVE, { deadLetters });
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['f']);
    expect(deadLetters.sent).toMatchObject([
      { deadLetter: { reason: 'payments may not publish order.placed (its publisher is orders)' } },
    ]);
  });

  it('routes an old schema version upcast to the current one', async () => {
    const { payment: _, ...order } = makeOrder();
    const current = makeEvent('notification.sent', { orderId: order.id, channel: 'email', to: 'c', subject: 's' });
    const { channel: __, ...v1 } = current.data;
    const held = Object.fromEntries(Object.entries(inboxes(env)).map(([s, q]) => [s, tap(q, { hold: true })]));
    const batch = createMessageBatch('conveyor-bus', [message({ ...current, schemaVersion: 1, data: v1 })]);
    await route(batch, held as never, env.ARCHIVE, {});
    expect(sentEvents(held.query!)).toEqual([current]);
  });
});

describe('dead-letter console', () => {
  const poison = () =>
    makeEvent('payment.authorized', { orderId: crypto.randomUUID(), paymentId: 'p', amountCents: 1, currency: 'EUR' });

  async function fromDlq(queue: string, body: unknown) {
    const batch = createMessageBatch(queue, [message(body, { id: 'd' })]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    return getQueueResult(batch, ctx);
  }

  it('keeps what a dead-letter queue receives, with its origin and reason, and lets an operator inspect it', async () => {
    const event = poison();
    const letter = {
      deadLetter: {
        queue: 'conveyor-orders-inbox',
        reason: 'failed 6 times; last error: boom',
        attempts: 6,
        at: new Date().toISOString(),
      },
      body: event,
    };
    expect((await fromDlq('conveyor-orders-inbox-dlq', letter)).explicitAcks).toEqual(['d']);
    const [entry] = (await list(env.DB, { limit: 50 })).items.filter((d) => d.eventId === event.id);
    expect(entry).toMatchObject({
      queue: 'conveyor-orders-inbox',
      reason: 'failed 6 times; last error: boom',
      eventType: 'payment.authorized',
      times: 1,
    });
    expect((await inspect(env.DB, entry!.id)).body).toEqual(event);
  });

  it('names the queue and says "retries exhausted" for a message the platform moved itself', async () => {
    const event = poison();
    await fromDlq('conveyor-shipping-inbox-dlq', event);
    const [entry] = (await list(env.DB, { limit: 50 })).items.filter((d) => d.eventId === event.id);
    expect(entry).toMatchObject({ queue: 'conveyor-shipping-inbox', reason: 'retries exhausted (moved by the queue)' });
  });

  it('redrives to the queue it came from and takes it off the list; back on the list if it fails again', async () => {
    const event = poison();
    const letter = {
      deadLetter: { queue: 'conveyor-orders-inbox', reason: 'no such order', attempts: 6, at: new Date().toISOString() },
      body: event,
    };
    await fromDlq('conveyor-orders-inbox-dlq', letter);
    const [entry] = (await list(env.DB, { limit: 50 })).items.filter((d) => d.eventId === event.id);
    const ordersInbox = tap(env.ORDERS_INBOX, { hold: true });
    const redriven = await redrive(env.DB, entry!.id, { 'conveyor-orders-inbox': ordersInbox });
    expect(redriven.status).toBe('redriven');
    expect(ordersInbox.sent).toEqual([event]);
    expect((await list(env.DB, { limit: 50 })).items.map((d) => d.id)).not.toContain(entry!.id);

    await fromDlq('conveyor-orders-inbox-dlq', {
      ...letter,
      deadLetter: { ...letter.deadLetter, reason: 'still no such order' },
    });
    expect((await list(env.DB, { limit: 50 })).items.find((d) => d.id === entry!.id)).toMatchObject({
      times: 2,
      reason: 'still no such order',
    });
  });

  it('says which order an event is about, and for a webhook delivery which endpoint failed', async () => {
    const event = poison();
    await fromDlq('conveyor-orders-inbox-dlq', event);
    const job = {
      deliveryId: `msg_${crypto.randomUUID()}`,
      eventId: event.id,
      eventType: 'order.confirmed',
      orderId: event.data.orderId,
      subscriptionId: 'wh_1',
      endpoint: 'https://shop.example/hooks',
    };
    const other = { ...job, deliveryId: `msg_${crypto.randomUUID()}`, endpoint: 'https://erp.example/in' };
    for (const body of [job, other]) {
      await fromDlq('conveyor-webhooks-dlq', {
        deadLetter: {
          queue: 'conveyor-webhooks',
          reason: 'failed 9 times; last error: the receiver answered 503',
          attempts: 9,
          at: new Date().toISOString(),
        },
        body,
      });
    }
    const { items } = await list(env.DB, { limit: 200 });
    expect(items.find((d) => d.queue === 'conveyor-orders-inbox' && d.eventId === event.id)).toMatchObject({
      orderId: event.data.orderId,
      endpoint: null,
    });
    // One entry per delivery (one event, two endpoints), each naming its endpoint and the last error.
    const webhooks = items.filter((d) => d.queue === 'conveyor-webhooks' && d.eventId === event.id);
    expect(webhooks.map((d) => d.endpoint).sort()).toEqual(['https://erp.example/in', 'https://shop.example/hooks']);
    expect(webhooks[0]).toMatchObject({
      eventType: 'order.confirmed',
      orderId: event.data.orderId,
      reason: 'failed 9 times; last error: the receiver answered 503',
    });
  });

  it('pages newest first with a cursor, and refuses a cursor it did not make', async () => {
    for (let i = 0; i < 5; i++) await fromDlq('conveyor-bus-dlq', poison());
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(env.DB, { limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = (await list(env.DB, { limit: 200 })).items;
    expect(seen).toEqual(all.map((d) => d.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(all.length).toBeGreaterThanOrEqual(5);
    await expect(list(env.DB, { limit: 2, cursor: 'not-ours' })).rejects.toMatchObject({ code: 'invalid_cursor', status: 400 });
  });

  it('discards for good', async () => {
    const event = poison();
    await fromDlq('conveyor-bus-dlq', event);
    const [entry] = (await list(env.DB, { limit: 50 })).items.filter((d) => d.eventId === event.id);
    await discard(env.DB, entry!.id);
    await expect(inspect(env.DB, entry!.id)).rejects.toMatchObject({ code: 'dead_letter_not_found', status: 404 });
  });
});

describe('replay', () => {
  it('sends the archived events of a time range again, filtered by type and subscriber', async () => {
    const { payment, ...order } = makeOrder();
    const at = (s: number) => `2026-06-01T10:00:0${s}.000Z`;
    const events: Event[] = [
      makeEvent('order.placed', { ...order, payment }, { occurredAt: at(0) }),
      makeEvent(
        'payment.authorized',
        { orderId: order.id, paymentId: 'p', amountCents: 1, currency: 'EUR' },
        { occurredAt: at(1) },
      ),
      makeEvent('order.confirmed', { ...order, status: 'confirmed', version: 4 }, { occurredAt: at(2) }),
    ];
    await archiveEvents(env.ARCHIVE, events);
    await archiveEvents(env.ARCHIVE, [events[0]!]); // archived twice (a retried batch): replayed once

    const held = Object.fromEntries(Object.entries(inboxes(env)).map(([s, q]) => [s, tap(q, { hold: true })]));
    const all = await replay(env.ARCHIVE, held as never, { from: at(0), to: at(9) });
    expect(all.events).toBe(3);
    expect(sentEvents(held.query!).map((e) => e.id)).toEqual(events.map((e) => e.id));

    const narrowed = Object.fromEntries(Object.entries(inboxes(env)).map(([s, q]) => [s, tap(q, { hold: true })]));
    const some = await replay(env.ARCHIVE, narrowed as never, {
      from: at(1),
      to: at(9),
      types: ['order.*'],
      subscribers: ['notifications'],
    });
    expect(some).toEqual({ events: 1, sent: { notifications: 1 } });
    expect(sentEvents(narrowed.notifications!).map((e) => e.type)).toEqual(['order.confirmed']);
    expect(narrowed.query!.sent).toEqual([]);
  });
});
