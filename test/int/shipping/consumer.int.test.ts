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
