import { BUCKETS_MS } from '../../shared/metrics';

type Counter = { name: string; labels: string; value: number };
type Bucket = { name: string; labels: string; bucket: number; n: number; sum: number };
export type Gauge = { name: string; help: string; labels: Record<string, string>; value: number };

const HELP: Record<string, string> = {
  events_total: 'Messages a service consumed, by event type and outcome',
  queue_messages_total: 'Messages sent to and delivered from each queue',
  billable_total: 'Billable operations, by kind',
  orders_placed_total: 'Orders placed',
  saga_outcomes_total: 'Orders settled, by outcome and reason',
  handler_ms: 'Handler latency in milliseconds',
  saga_ms: 'Time from placed to confirmed or cancelled, in milliseconds',
};

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const render = (labels: Record<string, string>) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
};

/** The Prometheus text exposition (version 0.0.4) of every counter, histogram and gauge, prefixed `conveyor_`. */
export function prometheusText(counters: readonly Counter[], buckets: readonly Bucket[], gauges: readonly Gauge[]): string {
  const lines: string[] = [];
  const header = (name: string, type: string, help?: string) => {
    lines.push(`# HELP conveyor_${name} ${help ?? HELP[name] ?? name}`, `# TYPE conveyor_${name} ${type}`);
  };
  for (const name of [...new Set(counters.map((c) => c.name))].sort()) {
    header(name, 'counter');
    for (const c of counters.filter((x) => x.name === name))
      lines.push(`conveyor_${name}${render(JSON.parse(c.labels))} ${c.value}`);
  }
  for (const name of [...new Set(buckets.map((b) => b.name))].sort()) {
    header(name, 'histogram');
    for (const labels of [...new Set(buckets.filter((b) => b.name === name).map((b) => b.labels))]) {
      const series = buckets.filter((b) => b.name === name && b.labels === labels);
      const parsed = JSON.parse(labels) as Record<string, string>;
      let cumulative = 0;
      for (let i = 0; i <= BUCKETS_MS.length; i++) {
        cumulative += series.filter((b) => b.bucket === i).reduce((n, b) => n + b.n, 0);
        const le = i === BUCKETS_MS.length ? '+Inf' : String(BUCKETS_MS[i]);
        lines.push(`conveyor_${name}_bucket${render({ ...parsed, le })} ${cumulative}`);
      }
      lines.push(`conveyor_${name}_sum${render(parsed)} ${series.reduce((n, b) => n + b.sum, 0)}`);
      lines.push(`conveyor_${name}_count${render(parsed)} ${cumulative}`);
    }
  }
  for (const name of [...new Set(gauges.map((g) => g.name))].sort()) {
    const all = gauges.filter((g) => g.name === name);
    header(name, 'gauge', all[0]!.help);
    for (const g of all) lines.push(`conveyor_${name}${render(g.labels)} ${g.value}`);
  }
  return `${lines.join('\n')}\n`;
}
