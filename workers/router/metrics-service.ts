import { WorkerEntrypoint } from 'cloudflare:workers';
import { busQueue, busShards } from '../../shared/bus';
import { checkConfig, misconfigured } from '../../shared/config';
import { AppError, type Reply, reply } from '../../shared/errors';
import type { Point } from '../../shared/metrics';
import { type MetricsReport, MetricsWindow, type SpanView } from '../../shared/metrics-api';
import { inboxQueue, WEBHOOKS_QUEUE } from '../../shared/queue-names';
import { type AnalyticsEngine, analyticsEngineReport, analyticsEngineSpans } from './analytics-engine';
import { RouterConfig } from './config';
import { type Gauge, prometheusText } from './prometheus';
import { inboxes } from './route';

/** The one metrics store, by name. */
export const metricsStore = (env: Env) => env.METRICS_DO.getByName('global');

/** Every queue the router sends to (and can ask for its backlog), by name: each bus shard, each inbox, the webhook queue. */
export function queuesByName(env: Env): Record<string, Queue> {
  const byName: Record<string, Queue> = { [WEBHOOKS_QUEUE]: env.WEBHOOKS };
  busShards(env).forEach((queue, shard) => {
    byName[busQueue(shard)] = queue;
  });
  for (const [subscriber, queue] of Object.entries(inboxes(env))) byName[inboxQueue(subscriber)] = queue;
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

  /** The aggregates of `window`: from Analytics Engine in production, else from the local store. */
  report(window: string): Promise<Reply<MetricsReport>> {
    return reply(async () => {
      const parsed = MetricsWindow.parse(window);
      const ae = this.analyticsEngine();
      return this.withBacklogs(ae ? await analyticsEngineReport(ae, parsed) : await metricsStore(this.env).report(parsed));
    });
  }

  /**
   * Analytics Engine's SQL API when metrics live there (METRICS_STORE = "analytics-engine"), or
   * null for the local store; `metrics_unavailable` when they live there but cannot be read.
   */
  private analyticsEngine(): AnalyticsEngine | null {
    const checked = checkConfig('router', RouterConfig, this.env);
    if (!checked.ok) throw misconfigured();
    const { METRICS_STORE, ANALYTICS_ACCOUNT_ID, ANALYTICS_API_TOKEN } = checked.config;
    if (METRICS_STORE === 'local') return null;
    if (!ANALYTICS_ACCOUNT_ID || !ANALYTICS_API_TOKEN) {
      throw new AppError({
        code: 'metrics_unavailable',
        message:
          'metrics are kept in Analytics Engine: set ANALYTICS_ACCOUNT_ID (var) and ANALYTICS_API_TOKEN (secret, "Account Analytics: Read") on conveyor-router to read them here',
        status: 503,
      });
    }
    return { accountId: ANALYTICS_ACCOUNT_ID, token: ANALYTICS_API_TOKEN };
  }

  private async withBacklogs(report: MetricsReport): Promise<MetricsReport> {
    const live = await backlogs(this.env);
    const byQueue = new Map(report.queues.map((q) => [q.queue, q]));
    for (const [queue, b] of Object.entries(live)) {
      const row = byQueue.get(queue) ?? { queue, sent: 0, delivered: 0, backlog: null, oldestAgeSeconds: null };
      byQueue.set(queue, { ...row, ...b });
    }
    return { ...report, queues: [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue)) };
  }

  /** Every counter and histogram since the store began, and the live queue gauges (local store). */
  prometheus(): Promise<Reply<string>> {
    return reply(async () => {
      if (this.analyticsEngine()) {
        throw new AppError({
          code: 'metrics_unavailable',
          message:
            'in production the counters live in Analytics Engine, which keeps no monotonic totals to scrape: query its SQL API (README, "Metrics and traces") or GET /v1/admin/metrics',
          status: 503,
        });
      }
      return this.prometheusText();
    });
  }

  private async prometheusText(): Promise<string> {
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

  spans(orderId: string): Promise<Reply<SpanView[]>> {
    return reply(async () => {
      const ae = this.analyticsEngine();
      return ae ? analyticsEngineSpans(ae, orderId) : metricsStore(this.env).spans(orderId);
    });
  }
}
