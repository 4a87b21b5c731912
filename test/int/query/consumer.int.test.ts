import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Event } from '../../../shared/events';
import { Meter } from '../../../shared/metrics';
import worker from '../../../workers/query';
import { handlers, ProjectedBatch } from '../../../workers/query/consumer';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { expectHandlesExactly } from '../../helpers/queues';

afterEach(() => vi.restoreAllMocks());

const freshness = () =>
  env.DB.prepare('SELECT last_event_at AS lastEventAt FROM freshness WHERE id = 1').first<{ lastEventAt: string }>();

/** An order's first three events as the bus carries them, a second apart from `at`. */
function lifeOf(at: number) {
  const placed = makeOrderPlaced();
  const { payment: _, ...order } = placed.data;
  const when = (s: number) => new Date(at + s * 1000).toISOString();
  return [
    { ...placed, occurredAt: when(0) },
    makeEvent(
      'payment.authorized',
      { orderId: order.id, paymentId: 'p', amountCents: order.totalCents, currency: order.currency },
      { occurredAt: when(1) },
    ),
    makeEvent('order.confirmed', { ...order, status: 'confirmed', version: 4 }, { occurredAt: when(2) }),
  ] as Event[];
}

/** Projects `events` as one queue batch; answers the rows the batch counted. */
async function projectBatch(events: Event[]) {
  const meter = new Meter({}, 'query');
  const count = vi.spyOn(meter, 'count');
  const batch = new ProjectedBatch();
  const project = handlers(env, batch);
  await Promise.all(events.map((e) => project[e.type]!(e as never)));
  const before = await freshness();
  await batch.finish(env.DB, meter);
  const rows = count.mock.calls.find(([name, labels]) => name === 'billable_total' && labels?.op === 'd1_row_written')?.[2];
  return { before, rows };
}

describe('query inbox consumer', () => {
  it('handles every event type, as its wildcard subscription says', () => {
    expectHandlesExactly('query', handlers(env));
  });

  it('records how fresh the read models are once per batch, after its projections, as of its newest event', async () => {
    const events = lifeOf(Date.parse('2026-11-20T10:00:00.000Z'));
    const batch = createMessageBatch(
      'conveyor-query-inbox',
      [...events].reverse().map((e, i) => message(e, { id: `m${i}` })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(3);
    expect(await freshness()).toEqual({ lastEventAt: '2026-11-20T10:00:02.000Z' });
  });

  it('never moves freshness back for a batch of older events', async () => {
    await projectBatch(lifeOf(Date.parse('2026-11-21T10:00:00.000Z')));
    await projectBatch(lifeOf(Date.parse('2026-11-01T10:00:00.000Z')));
    expect(await freshness()).toEqual({ lastEventAt: '2026-11-21T10:00:02.000Z' });
  });

  it('writes each event to the timeline once (1 row: keyed by order and event, no rowid), the order and its lines, and one freshness row per batch', async () => {
    const [placed, authorized, confirmed] = lifeOf(Date.parse('2026-11-22T10:00:00.000Z'));
    const first = await projectBatch([placed!]);
    // Nothing is written per event before the batch ends: the reading is the previous batch's.
    expect(first.before?.lastEventAt).not.toBe(placed!.occurredAt);
    // The timeline 1 (keyed by order and event, without a rowid: migration 0006); the order 2 (its row,
    // its index by customer; 0007 dropped the unused one by status); its line 2 (row, index by day); freshness 1.
    expect(first.rows).toBe(6);
    expect((await projectBatch([authorized!])).rows).toBe(2);
    // Repeated in one batch: the timeline takes it once; the order its status (its row: no index holds
    // the status since 0007, which saved 1 here), the line its status; freshness 1.
    expect((await projectBatch([confirmed!, confirmed!])).rows).toBe(4);
  });
});
