// Percentiles, the queue-log counter and the price list of `npm run bench`.

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summary(values: readonly number[]): Summary {
  const round = (x: number) => +x.toFixed(1);
  return {
    n: values.length,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? Math.max(...values) : Number.NaN),
  };
}

/**
 * Counts what wrangler logs of every queue batch it delivers (`QUEUE <queue> <acked>/<size>`): the
 * messages each queue carried and the consumer invocations that took them.
 */
export class QueueLog {
  readonly messages = new Map<string, number>();
  readonly batches = new Map<string, number>();
  private tail = '';

  feed(chunk: string): void {
    const lines = (this.tail + chunk).split('\n');
    this.tail = lines.pop() ?? '';
    for (const line of lines) {
      const m = /QUEUE (\S+) (\d+)\/(\d+)/.exec(line);
      if (!m) continue;
      const queue = m[1]!;
      this.messages.set(queue, (this.messages.get(queue) ?? 0) + Number(m[3]));
      this.batches.set(queue, (this.batches.get(queue) ?? 0) + 1);
    }
  }

  snapshot() {
    return { messages: new Map(this.messages), batches: new Map(this.batches) };
  }
}

export const total = (counts: Map<unknown, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/** Cloudflare's list prices, US$ per million. */
export const prices = {
  queueOperation: 0.4,
  /** A message is written, read and deleted. */
  operationsPerMessage: 3,
  workerRequest: 0.3,
  durableObjectRequest: 0.15,
  rowWritten: 1.0,
  r2ClassA: 4.5,
};

export interface PerOrder {
  queueMessages: number;
  workerRequests: number;
  durableObjectRequests: number;
  rowsWritten: number;
  r2ClassA: number;
}

/** US$ per million orders, item by item. */
export function costPerMillion(o: PerOrder) {
  const items = {
    queues: o.queueMessages * prices.operationsPerMessage * prices.queueOperation,
    workerRequests: o.workerRequests * prices.workerRequest,
    durableObjectRequests: o.durableObjectRequests * prices.durableObjectRequest,
    rowsWritten: o.rowsWritten * prices.rowWritten,
    r2ClassA: o.r2ClassA * prices.r2ClassA,
  };
  const round = (x: number) => +x.toFixed(2);
  return {
    ...Object.fromEntries(Object.entries(items).map(([k, v]) => [k, round(v)])),
    total: round(Object.values(items).reduce((a, b) => a + b, 0)),
  };
}
