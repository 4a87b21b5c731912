// Every queue's name, by one rule, in one place, on its own (no imports) so the deploy scripts use
// the same names: the bus (in shards), one inbox per subscriber, the webhook deliveries, and a
// dead-letter queue beside each.

/** The most shards the bus may have. */
export const MAX_BUS_SHARDS = 64;

/** The queue of bus shard `shard`; shard 0 keeps the name the unsharded bus always had. */
export const busQueue = (shard: number) => (shard === 0 ? 'conveyor-bus' : `conveyor-bus-${shard}`);

/** The binding of bus shard `shard`. */
export const busBinding = (shard: number) => (shard === 0 ? 'BUS' : `BUS_${shard}`);

/** The shard a queue is, or null when it is not a bus shard (a dead-letter queue, an inbox). */
export function busShardOf(queue: string): number | null {
  if (queue === 'conveyor-bus') return 0;
  const match = /^conveyor-bus-([1-9]\d*)$/.exec(queue);
  return match ? Number(match[1]) : null;
}

/** The inbox of `subscriber` (a service that consumes events: shared/subscriptions.ts). */
export const inboxQueue = (subscriber: string) => `conveyor-${subscriber}-inbox`;

/** One message per webhook delivery (notifications). */
export const WEBHOOKS_QUEUE = 'conveyor-webhooks';

/** The dead-letter queue of `queue`. */
export const deadLetterQueue = (queue: string) => `${queue}-dlq`;

/** The queue whose dead letters `dlq` holds (where a redrive sends them back). */
export const queueOfDeadLetters = (dlq: string) => dlq.replace(/-dlq$/, '');

/** Whether `queue` is a dead-letter queue. */
export const isDeadLetterQueue = (queue: string) => queue.endsWith('-dlq');
