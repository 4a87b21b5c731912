// The names of the bus's shards, on their own (no imports), so the deploy scripts use the same ones.

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
