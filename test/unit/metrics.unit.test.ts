import { describe, expect, it } from 'vitest';
import { BUCKETS_MS, bucketOf, dataPoint, Meter, quantile } from '../../shared/metrics';
import { costPerMillionOrders, PRICES } from '../../shared/prices';
import { prometheusText } from '../../workers/router/prometheus';

const counts = (pairs: [number, number][]) => {
  const c = new Array<number>(BUCKETS_MS.length + 1).fill(0);
  for (const [value, n] of pairs) c[bucketOf(value)]! += n;
  return c;
};

describe('histogram quantiles', () => {
  it('puts a value in the first bucket whose bound holds it, and beyond the last in +Inf', () => {
    expect(bucketOf(5)).toBe(0);
    expect(bucketOf(6)).toBe(1);
    expect(bucketOf(1e9)).toBe(BUCKETS_MS.length);
  });

  it('interpolates p50, p95 and p99 within their buckets, as histogram_quantile does', () => {
    const c = counts([
      [80, 90],
      [400, 9],
      [4000, 1],
    ]);
    expect(quantile(0.5, c)).toBeCloseTo(50 + 50 * (50 / 90));
    expect(quantile(0.95, c)).toBeCloseTo(250 + 250 * (5 / 9));
    expect(quantile(0.99, c)).toBeCloseTo(250 + 250 * (9 / 9));
  });

  it('has no quantile when nothing was observed', () => {
    expect(quantile(0.5, counts([]))).toBeNull();
  });
});

describe('cost per million orders', () => {
  it('prices each operation per order at the dated list price', () => {
    expect(PRICES.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(costPerMillionOrders({ queue_message: 10, r2_write: 2, do_request: 4 })).toBeCloseTo(10 * 1.2 + 2 * 4.5 + 4 * 0.15);
  });
});

describe('Prometheus text format', () => {
  it('writes counters with labels and cumulative histogram buckets with sum and count', () => {
    const text = prometheusText(
      [{ name: 'events_total', labels: JSON.stringify({ service: 'inventory', type: 'order.placed' }), value: 3 }],
      [
        { name: 'saga_ms', labels: JSON.stringify({ outcome: 'confirmed' }), bucket: bucketOf(80), n: 2, sum: 150 },
        { name: 'saga_ms', labels: JSON.stringify({ outcome: 'confirmed' }), bucket: bucketOf(400), n: 1, sum: 400 },
      ],
      [{ name: 'queue_backlog', help: 'waiting', labels: { queue: 'conveyor-bus' }, value: 0 }],
    );
    expect(text).toContain('# TYPE conveyor_events_total counter');
    expect(text).toContain('conveyor_events_total{service="inventory",type="order.placed"} 3');
    expect(text).toContain('conveyor_saga_ms_bucket{outcome="confirmed",le="50"} 0');
    expect(text).toContain('conveyor_saga_ms_bucket{outcome="confirmed",le="100"} 2');
    expect(text).toContain('conveyor_saga_ms_bucket{outcome="confirmed",le="+Inf"} 3');
    expect(text).toContain('conveyor_saga_ms_sum{outcome="confirmed"} 550');
    expect(text).toContain('conveyor_saga_ms_count{outcome="confirmed"} 3');
    expect(text).toContain('conveyor_queue_backlog{queue="conveyor-bus"} 0');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('Meter', () => {
  it('adds counts of one series into one point until it is flushed, and keeps other series apart', () => {
    const meter = new Meter({}, 'orders');
    meter.count('billable_total', { op: 'do_row_written', store: 'OrderDO' }, 3);
    meter.count('billable_total', { op: 'do_row_written', store: 'OrderDO' }, 4);
    meter.count('billable_total', { op: 'do_row_written', store: 'PaymentDO' }, 1);
    meter.count('billable_total', { op: 'do_row_written', store: 'OrderDO' }, 0);
    expect(meter.pending).toEqual([
      { kind: 'count', name: 'billable_total', labels: { service: 'orders', op: 'do_row_written', store: 'OrderDO' }, value: 7 },
      {
        kind: 'count',
        name: 'billable_total',
        labels: { service: 'orders', op: 'do_row_written', store: 'PaymentDO' },
        value: 1,
      },
    ]);
  });
});

describe('Analytics Engine data points', () => {
  it('indexes by metric name and carries labels as blobs, value as the first double', () => {
    expect(
      dataPoint({ kind: 'count', name: 'events_total', labels: { service: 'orders', outcome: 'handled' }, value: 2 }),
    ).toEqual({
      indexes: ['events_total'],
      blobs: ['count', 'service=orders', 'outcome=handled'],
      doubles: [2],
    });
  });
});
