import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/shipping';
import { handlers } from '../../../workers/shipping/consumer';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { expectHandlesExactly } from '../../helpers/queues';

describe('shipping inbox consumer', () => {
  it('handles exactly the events it subscribes to', () => {
    expectHandlesExactly('shipping', handlers(env));
  });

  it('creates one shipment per confirmed order, however often the event arrives', async () => {
    const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
    const confirmed = makeEvent('order.confirmed', order);
    const batch = createMessageBatch('conveyor-shipping-inbox', [
      message(confirmed, { id: 'a' }),
      message(confirmed, { id: 'b' }),
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(['a', 'b']);
    expect(await env.SHIPMENT_DO.getByName(order.id).read()).toBe('created');
  });
});

describe('ShipmentDO and the carrier', () => {
  const traceparent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
  async function created() {
    const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
    const stub = env.SHIPMENT_DO.getByName(order.id);
    await stub.create(order, makeEvent('order.confirmed', order));
    return { order, stub };
  }

  it('moves created → dispatched → delivered and ignores a replayed webhook id', async () => {
    const { order, stub } = await created();
    const dispatched = { id: 'wh_1', orderId: order.id, status: 'dispatched' as const, trackingNumber: 'TRK-1' };
    expect(await stub.carrierUpdate(dispatched, traceparent)).toEqual({
      ok: true,
      value: { duplicate: false, status: 'dispatched' },
    });
    expect(await stub.carrierUpdate(dispatched, traceparent)).toEqual({
      ok: true,
      value: { duplicate: true, status: 'dispatched' },
    });
    const delivered = { id: 'wh_2', orderId: order.id, status: 'delivered' as const };
    expect(await stub.carrierUpdate(delivered, traceparent)).toEqual({
      ok: true,
      value: { duplicate: false, status: 'delivered' },
    });
  });

  it('refuses news for a shipment that does not exist', async () => {
    const orderId = crypto.randomUUID();
    const stub = env.SHIPMENT_DO.getByName(orderId);
    expect(await stub.carrierUpdate({ id: 'wh_x', orderId, status: 'dispatched' }, traceparent)).toMatchObject({
      ok: false,
      error: { code: 'shipment_not_found', status: 404 },
    });
  });

  it('records a dispatch after the shipment was called off as an exception, never as a shipment', async () => {
    const { order, stub } = await created();
    const request = makeEvent('order.cancellation_requested', { ...order, cancellation: 'requested' });
    expect(await stub.requestCancel(order.id, request)).toBe('cancelled');
    expect(await stub.carrierUpdate({ id: 'wh_y', orderId: order.id, status: 'dispatched' }, traceparent)).toEqual({
      ok: true,
      value: { duplicate: false, status: 'cancelled', exception: 'dispatched_after_cancellation' },
    });
  });

  it('refuses a cancellation once the parcel has left (issue 7, defect 2)', async () => {
    const { order, stub } = await created();
    await stub.carrierUpdate({ id: 'wh_z', orderId: order.id, status: 'dispatched' }, traceparent);
    const request = makeEvent('order.cancellation_requested', { ...order, cancellation: 'requested' });
    expect(await stub.requestCancel(order.id, request)).toBe('dispatched');
  });

  it('never creates a shipment whose cancellation came first', async () => {
    const { payment: _, ...order } = makeOrder();
    const stub = env.SHIPMENT_DO.getByName(order.id);
    await stub.requestCancel(order.id, makeEvent('order.cancellation_requested', { ...order, status: 'confirmed' }));
    expect(await stub.create(order, makeEvent('order.confirmed', { ...order, status: 'confirmed' }))).toBe('cancelled');
  });
});
