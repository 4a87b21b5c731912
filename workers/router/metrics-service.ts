import { WorkerEntrypoint } from 'cloudflare:workers';
import type { Point } from '../../shared/metrics';
import { type MetricsReport, MetricsWindow, type SpanView } from '../../shared/metrics-api';
import { type Gauge, prometheusText } from './prometheus';
import { inboxes } from './route';

/** The one metrics store, by name. */
export const metricsStore = (env: Env) => env.METRICS_DO.getByName('global');

/** Every queue the router can ask for its backlog, by name. */
export function queuesByName(env: Env): Record<string, Queue> {
  const byName: Record<string, Queue> = { 'conveyor-bus': env.BUS, 'conveyor-webhooks': env.WEBHOOKS };
  for (const [subscriber, queue] of Object.entries(inboxes(env))) byName[`conveyor-${subscriber}-inbox`] = queue;
  return byName;
}

/** Each queue's backlog and the age of its oldest message, where the platform says (null where it does not). */
type Backlog = { backlog: number | null; oldestAgeSeconds: number | null };

async function backlogs(env: Env, now = Date.now()): Promise<Record<string, Backlog>> {
  return Object.fromEntries(
    await Promise.all(
      Object.entries(queuesByName(env)).map(async ([name, queue]) => {
        try {
          const m = await queue.metrics();
          const oldest = m.oldestMessageTimestamp
            ? Math.max(0, Math.round((now - m.oldestMessageTimestamp.getTime()) / 1000))
            : 0;
          return [name, { backlog: m.backlogCount, oldestAgeSeconds: m.backlogCount > 0 ? oldest : 0 }] as const;
        } catch {
          return [name, { backlog: null, oldestAgeSeconds: null }] as const;
        }
      }),
    ),
  );
}

/**
 * The metrics store as every Worker reaches it over its `METRICS` service binding: `record` from
 * the Workers that count, the rest for the gateway's admin routes and dashboard.
 */
export class MetricsService extends WorkerEntrypoint<Env> {
  async record(points: Point[]): Promise<void> {
    await metricsStore(this.env).record(points);
  }

  async report(window: string): Promise<MetricsReport> {
    const report = await metricsStore(this.env).report(MetricsWindow.parse(window));
    const live = await backlogs(this.env);
    const byQueue = new Map(report.queues.map((q) => [q.queue, q]));
    for (const [queue, b] of Object.entries(live)) {
      const row = byQueue.get(queue) ?? { queue, sent: 0, delivered: 0, backlog: null, oldestAgeSeconds: null };
      byQueue.set(queue, { ...row, ...b });
    }
    return { ...report, queues: [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue)) };
  }

  async prometheus(): Promise<string> {
    const { counters, buckets } = await metricsStore(this.env).totals();
    const gauges: Gauge[] = [];
    for (const [queue, b] of Object.entries(await backlogs(this.env))) {
      if (b.backlog === null) continue;
      gauges.push({ name: 'queue_backlog', help: 'Messages waiting in each queue', labels: { queue }, value: b.backlog });
      gauges.push({
        name: 'queue_oldest_age_seconds',
        help: 'Age of the oldest waiting message in each queue',
        labels: { queue },
        value: b.oldestAgeSeconds ?? 0,
      });
    }
    return prometheusText(counters, buckets, gauges);
  }

  async spans(orderId: string): Promise<SpanView[]> {
    return metricsStore(this.env).spans(orderId);
  }
}
