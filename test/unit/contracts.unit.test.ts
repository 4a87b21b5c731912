import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../shared/consume';
import { Event, eventTypes } from '../../shared/events';
import { deterministicId } from '../../shared/ids';
import { newEvent } from '../../shared/publish';
import { matches, subscribersOf, subscriptions } from '../../shared/subscriptions';
import { makeOrder } from '../helpers/fixtures';

const { payment: _, ...order } = makeOrder();

describe('event envelope', () => {
  it('builds a valid event that starts its own correlation', () => {
    const event = newEvent('order.confirmed', order, { source: 'orders', subject: order.id, cause: null });
    expect(Event.parse(event)).toEqual(event);
    expect(event).toMatchObject({ schemaVersion: 2, correlationId: event.id, causationId: null });
  });

  it('carries the cause: same correlation and trace, causation = the cause id', () => {
    const cause = newEvent('order.confirmed', order, { source: 'orders', subject: order.id, cause: null });
    const effect = newEvent(
      'shipment.created',
      { orderId: order.id, shipmentId: 's1' },
      {
        source: 'shipping',
        subject: order.id,
        cause,
      },
    );
    expect(effect.correlationId).toBe(cause.correlationId);
    expect(effect.causationId).toBe(cause.id);
    expect(effect.traceparent.split('-')[1]).toBe(cause.traceparent.split('-')[1]);
    expect(effect.traceparent).not.toBe(cause.traceparent);
  });

  it('rejects an event whose data does not match its type', () => {
    const event = newEvent('order.confirmed', order, { source: 'orders', subject: order.id, cause: null });
    expect(Event.safeParse({ ...event, data: { ...order, totalCents: -1 } }).success).toBe(false);
    expect(Event.safeParse({ ...event, type: 'order.shredded' }).success).toBe(false);
    expect(Event.safeParse({ ...event, id: 'nope' }).success).toBe(false);
  });
});

describe('deterministic ids', () => {
  it('gives the same valid UUID for the same name, another for another name', async () => {
    const a = await deterministicId('event-1/inventory');
    expect(a).toBe(await deterministicId('event-1/inventory'));
    expect(a).not.toBe(await deterministicId('event-1/payments'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('subscriptions', () => {
  it('matches exact names, prefix patterns and the wildcard', () => {
    expect(matches('order.placed', 'order.placed')).toBe(true);
    expect(matches('order.*', 'order.cancelled')).toBe(true);
    expect(matches('order.*', 'orders.cancelled')).toBe(false);
    expect(matches('*', 'anything.at.all')).toBe(true);
  });

  it('routes order.placed to inventory, payments, notifications and the read side only', () => {
    expect(subscribersOf('order.placed').sort()).toEqual(['inventory', 'notifications', 'payments', 'query']);
  });

  it('subscribes only to event types that exist', () => {
    for (const patterns of Object.values(subscriptions)) {
      for (const pattern of patterns) expect(eventTypes.some((t) => matches(pattern, t))).toBe(true);
    }
  });
});

describe('retry backoff', () => {
  it('doubles per attempt from 1 s and stops growing at 5 minutes', () => {
    expect([1, 2, 3, 4].map(backoffSeconds)).toEqual([1, 2, 4, 8]);
    expect(backoffSeconds(20)).toBe(300);
  });
});
