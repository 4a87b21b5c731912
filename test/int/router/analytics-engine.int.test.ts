import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { consume } from '../../../shared/consume';
import { Meter, type Point } from '../../../shared/metrics';
import worker from '../../../workers/router';
import { analyticsEngineReport, analyticsEngineSpans } from '../../../workers/router/analytics-engine';
import { MetricsService, metricsStore } from '../../../workers/router/metrics-service';
import { message, placedAndSettled } from '../../helpers/events';

/**
 * A stand-in for Analytics Engine: keeps every data point written with `writeDataPoint`, and
 * answers the SQL API's four questions (counters, counters per minute, observations, milestones;
 * spans) by aggregating those points the way the SQL asks (GROUP BY, SUM, weighted by a sample
 * interval of 1). It checks the request as the API would: POST, bearer token, `FORMAT JSON`.
 */
function fakeAnalyticsEngine(token: string) {
  const points: (AnalyticsEngineDataPoint & { timestamp: string })[] = [];
  const stamp = () => new Date().toISOString().slice(0, 19).replace('T', ' ');
  const labels = (p: AnalyticsEngineDataPoint) =>
    Object.fromEntries((['blob2', 'blob3', 'blob4', 'blob5', 'blob6'] as const).map((b, i) => [b, p.blobs?.[i + 1] ?? '']));
  const group = (rows: Record<string, unknown>[], keys: string[], sum: string) => {
    const out = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      const id = JSON.stringify(keys.map((k) => r[k]));
      const row = out.get(id) ?? { ...r, [sum]: 0 };
      row[sum] = (row[sum] as number) + (r[sum] as number);
      out.set(id, row);
    }
    return [...out.values()];
  };
  const answer = (sql: string) => {
    const index = (p: AnalyticsEngineDataPoint) => p.indexes?.[0];
    const kind = (p: AnalyticsEngineDataPoint) => p.blobs?.[0];
    const blobKeys = ['blob2', 'blob3', 'blob4', 'blob5', 'blob6'];
    if (sql.includes("index1 = 'span'")) {
      const order = /blob7 = '([^']+)'/.exec(sql)![1];
      return points
        .filter((p) => index(p) === 'span' && p.blobs?.[6] === order)
        .map((p) => ({
          trace_id: p.blobs![1],
          span_id: p.blobs![2],
          parent_id: p.blobs![3],
          name: p.blobs![4],
          service: p.blobs![5],
          outcome: p.blobs![7],
          ms: p.doubles![0],
          start: p.doubles![1],
        }))
        .sort((a, b) => (a.start as number) - (b.start as number));
    }
    if (sql.includes("index1 = 'saga'")) {
      return points
        .filter((p) => index(p) === 'saga')
        .map((p) => ({
          status: p.blobs![1],
          reason: p.blobs![2],
          order_id: p.blobs![3],
          ms: p.doubles![0],
          timestamp: p.timestamp,
        }))
        .reverse();
    }
    if (sql.includes("blob1 = 'observe'")) {
      const rows = points
        .filter((p) => kind(p) === 'observe')
        .map((p) => ({ name: index(p), ...labels(p), value: p.doubles![0], n: 1 }));
      return group(rows, ['name', ...blobKeys, 'value'], 'n');
    }
    const counts = points.filter((p) => kind(p) === 'count');
    if (sql.includes('toStartOfInterval')) {
      const rows = counts
        .filter((p) => index(p) === 'events_total')
        .map((p) => ({ minute: `${p.timestamp.slice(0, 16)}:00`, name: index(p), ...labels(p), value: p.doubles![0] }));
      return group(rows, ['minute', 'name', ...blobKeys], 'value');
    }
    return group(
      counts.map((p) => ({ name: index(p), ...labels(p), value: p.doubles![0] })),
      ['name', ...blobKeys],
      'value',
    );
  };
  const requests: string[] = [];
  const sqlApi: typeof fetch = async (input, init) => {
    const sql = String(init?.body);
    requests.push(sql);
    expect(String(input)).toMatch(/^https:\/\/api\.cloudflare\.com\/client\/v4\/accounts\/[0-9a-f]{32}\/analytics_engine\/sql$/);
    expect(init?.method).toBe('POST');
    if (new Headers(init?.headers).get('authorization') !== `Bearer ${token}`) return new Response('forbidden', { status: 403 });
    expect(sql).toMatch(/ FORMAT JSON$/);
    return Response.json({ meta: [], data: answer(sql), rows: 0 });
  };
  return {
    dataset: { writeDataPoint: (p: AnalyticsEngineDataPoint) => void points.push({ ...p, timestamp: stamp() }) },
    sqlApi,
    requests,
  };
}

const accountId = 'a'.repeat(32);
const token = 'analytics-read-token-0123456789';

describe('metrics in production: read back from Analytics Engine', () => {
  it('answers the same report as the local store, from the same points', async () => {
    const ae = fakeAnalyticsEngine(token);
    // Both stores get every point: the router writes Analytics Engine and (METRICS_STORE=local) the MetricsDO.
    const both = { ...env, ANALYTICS: ae.dataset, METRICS_STORE: 'local' } as Env;
    const orders = [
      placedAndSettled(300, 'confirmed'),
      placedAndSettled(900, 'confirmed'),
      placedAndSettled(2000, 'cancelled', 'out_of_stock'),
    ];
    const pending = placedAndSettled(0, 'confirmed');
    for (const batch of [[...orders.map((o) => o.placed), pending.placed], orders.map((o) => o.settled)]) {
      const messages = createMessageBatch(
        'conveyor-bus',
        batch.map((e) => message(e)),
      );
      await worker.queue(messages, both);
      await getQueueResult(messages, createExecutionContext());
    }
    // A consumer's counts and latencies, through the same Meter.
    const toStore = { record: async (points: Point[]) => void (await metricsStore(env).record(points)) };
    const meter = new Meter({ ANALYTICS: ae.dataset, METRICS_STORE: 'local', METRICS: toStore }, 'inventory');
    const inbox = createMessageBatch(
      'conveyor-inventory-inbox',
      orders.map((o) => message(o.placed)),
    );
    await consume(inbox, { 'order.placed': async () => {} }, { metrics: meter, queue: 'conveyor-inventory-inbox' });

    const local = await metricsStore(env).report('15m');
    const production = await analyticsEngineReport({ accountId, token, fetch: ae.sqlApi }, '15m');
    expect(ae.requests).toHaveLength(4);
    expect({ ...production.saga, recent: [], stuck: [] }).toEqual({ ...local.saga, recent: [], stuck: [] });
    expect(new Set(production.saga.recent.map((o) => o.orderId))).toEqual(new Set(local.saga.recent.map((o) => o.orderId)));
    expect(production.services).toEqual(local.services);
    expect(production.queues).toEqual(local.queues);
    expect(production.billable).toEqual(local.billable);
    expect(production.series.map((m) => m.events)).toEqual(local.series.map((m) => m.events));
    // And it is not empty: three settled, one still pending, the inventory inbox's three handled.
    expect(production.saga).toMatchObject({ placed: 4, byStatus: { confirmed: 2, cancelled: 1, pending: 1 } });
    expect(production.saga.latencyMs.confirmed.count).toBe(2);
    expect(production.services.find((s) => s.service === 'inventory')).toMatchObject({ type: 'order.placed', handled: 3 });

    const spans = await analyticsEngineSpans({ accountId, token, fetch: ae.sqlApi }, orders[0]!.order.id);
    expect(spans).toEqual(await metricsStore(env).spans(orders[0]!.order.id));
    expect(spans.length).toBeGreaterThan(0);
  });

  it('answers metrics_unavailable when the SQL API refuses or cannot be reached, and never puts a foreign id into SQL', async () => {
    const ae = fakeAnalyticsEngine(token);
    await expect(
      analyticsEngineReport({ accountId, token: 'wrong-token-0123456789', fetch: ae.sqlApi }, '1h'),
    ).rejects.toMatchObject({
      code: 'metrics_unavailable',
      status: 503,
      message: 'the Analytics Engine SQL API answered 403',
    });
    const down: typeof fetch = async () => {
      throw new TypeError('network');
    };
    await expect(analyticsEngineReport({ accountId, token, fetch: down }, '1h')).rejects.toMatchObject({
      code: 'metrics_unavailable',
      message: 'the Analytics Engine SQL API could not be reached',
    });
    expect(await analyticsEngineSpans({ accountId, token, fetch: ae.sqlApi }, "x' OR '1'='1")).toEqual([]);
    expect(ae.requests.filter((sql) => sql.includes("'span'"))).toEqual([]);
  });

  it('says what to set when metrics live in Analytics Engine but the router cannot read them', async () => {
    const production = new MetricsService(createExecutionContext(), { ...env, METRICS_STORE: 'analytics-engine' } as Env);
    const answer = await production.report('15m');
    expect(answer).toMatchObject({ ok: false, error: { code: 'metrics_unavailable', status: 503 } });
    expect(!answer.ok && answer.error.message).toContain('ANALYTICS_ACCOUNT_ID');
    expect(await production.prometheus()).toMatchObject({ ok: false, error: { code: 'metrics_unavailable' } });
    const local = new MetricsService(createExecutionContext(), env);
    expect(await local.report('15m')).toMatchObject({ ok: true });
  });
});
