import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { consume } from '../../../shared/consume';
import { Meter, type Point } from '../../../shared/metrics';
import { hopsOf } from '../../../shared/metrics-api';
import worker from '../../../workers/router';
import { SPANS_OF_ORDER } from '../../../workers/router/metrics-do';
import { metricsStore } from '../../../workers/router/metrics-service';
import { message, placedAndSettled } from '../../helpers/events';

const store = () => metricsStore(env);

async function routeThrough(events: unknown[]) {
  const batch = createMessageBatch(
    'conveyor-bus',
    events.map((e) => message(e)),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('metrics counted where the router routes', () => {
  it('measures the saga from placed to confirmed once, however often the event comes', async () => {
    const before = await store().report('15m');
    const { order, placed, settled } = placedAndSettled(400);
    await routeThrough([placed]);
    await routeThrough([settled, settled]);
    const after = await store().report('15m');
    expect(after.saga.placed - before.saga.placed).toBe(1);
    expect(after.saga.latencyMs.confirmed.count - before.saga.latencyMs.confirmed.count).toBe(1);
    expect(after.saga.latencyMs.confirmed.p50).toBeGreaterThanOrEqual(250);
    expect(after.saga.latencyMs.confirmed.p50).toBeLessThanOrEqual(500);
    expect(after.saga.byStatus.confirmed).toBeGreaterThanOrEqual(1);
    const spans = await store().spans(order.id);
    expect(spans.map((s) => s.name)).toContain('publish order.confirmed');
  });

  it('writes after the batch, through waitUntil, when the runtime gives a context', async () => {
    const before = await store().report('15m');
    const { placed } = placedAndSettled(0);
    const batch = createMessageBatch('conveyor-bus', [message(placed)]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await waitOnExecutionContext(ctx);
    const after = await store().report('15m');
    expect(after.saga.placed - before.saga.placed).toBe(1);
    expect(after.saga.recent.map((r) => r.orderId)).toContain(placed.subject);
  });

  it('counts cancellations by reason', async () => {
    const { placed, settled } = placedAndSettled(1500, 'cancelled');
    await routeThrough([placed, settled]);
    const report = await store().report('15m');
    expect(report.saga.outcomes).toContainEqual(expect.objectContaining({ outcome: 'cancelled', reason: 'payment_declined' }));
    expect(report.saga.latencyMs.cancelled.count).toBeGreaterThanOrEqual(1);
  });

  it('counts the copies sent to each inbox and the billable operations per order, priced', async () => {
    await routeThrough([placedAndSettled(100).placed]);
    const report = await store().report('15m');
    const inventory = report.queues.find((q) => q.queue === 'conveyor-inventory-inbox');
    expect(inventory?.sent).toBeGreaterThanOrEqual(1);
    expect(report.billable.perOrder.queue_message).toBeGreaterThan(0);
    expect(report.billable.perOrder.r2_write).toBeGreaterThan(0);
    expect(report.billable.costPerMillionOrdersUsd).toBeGreaterThan(0);
    expect(report.billable.pricesAsOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('metrics counted where a service consumes', () => {
  function capture() {
    const points: Point[] = [];
    const meter = new Meter(
      { METRICS_STORE: 'local', METRICS: { record: async (p: Point[]) => void points.push(...p) } },
      'inventory',
    );
    return { points, meter };
  }

  it('counts handled, retried and dead-lettered messages with the handler latency and a span under the event', async () => {
    const { points, meter } = capture();
    const { placed } = placedAndSettled(0);
    const batch = createMessageBatch('conveyor-inventory-inbox', [
      message(placed, { id: 'ok' }),
      message({ ...placed, id: crypto.randomUUID() }, { id: 'failing', attempts: 1 }),
      message({ nonsense: true }, { id: 'invalid' }),
    ]);
    const ctx = createExecutionContext();
    let calls = 0;
    await consume(
      batch,
      {
        'order.placed': async () => {
          calls += 1;
          if (calls === 2) throw new Error('down');
        },
      },
      { metrics: meter },
    );
    await getQueueResult(batch, ctx);
    const outcomes = points.flatMap((p) => (p.kind === 'count' && p.name === 'events_total' ? [p.labels.outcome] : []));
    expect(outcomes.sort()).toEqual(['dead-lettered', 'handled', 'retried']);
    expect(points).toContainEqual(expect.objectContaining({ kind: 'observe', name: 'handler_ms' }));
    const span = points.find((p) => p.kind === 'span');
    expect(span).toMatchObject({ span: { parentId: placed.traceparent.split('-')[2], orderId: placed.subject } });
  });

  it('joins publish and consume spans into hops: time to the router, wait, handler', () => {
    const at = Date.parse('2026-01-01T00:00:00Z');
    const iso = (ms: number) => new Date(at + ms).toISOString();
    const hops = hopsOf([
      {
        traceId: 't',
        spanId: 'a',
        parentId: null,
        name: 'publish order.placed',
        service: 'orders',
        start: iso(0),
        ms: 12,
        outcome: 'routed',
      },
      {
        traceId: 't',
        spanId: 'b',
        parentId: 'a',
        name: 'consume order.placed',
        service: 'inventory',
        start: iso(30),
        ms: 8,
        outcome: 'handled',
      },
    ]);
    expect(hops).toEqual([
      {
        type: 'order.placed',
        source: 'orders',
        publishedAt: iso(0),
        routedMs: 12,
        deliveries: [{ service: 'inventory', startedAt: iso(30), waitMs: 30, handlerMs: 8, outcome: 'handled' }],
      },
    ]);
  });

  it("reads an order's spans through its index, not by scanning every order's spans", async () => {
    const { order, placed } = placedAndSettled(0);
    await routeThrough([placed]);
    const plan = await runInDurableObject(store(), (_instance, state) =>
      state.storage.sql
        .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${SPANS_OF_ORDER}`, order.id)
        .toArray()
        .map((r) => r.detail),
    );
    expect(plan.join('\n')).toMatch(/SEARCH spans USING INDEX spans_by_order \(order_id=\?\)/);
    expect(plan.join('\n')).not.toMatch(/SCAN spans/);
    expect((await store().spans(order.id)).map((s) => s.name)).toContain('publish order.placed');
  });
});
