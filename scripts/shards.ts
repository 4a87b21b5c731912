// The bus sharded N ways (shared/bus.ts), generated from the committed wrangler configs, which
// describe one shard: every Worker that publishes to `conveyor-bus` also binds `BUS_1` …
// `BUS_{N-1}` (`conveyor-bus-1` …), and the router, the consumer of `conveyor-bus`, consumes every
// shard with the same settings, each with its own dead-letter queue, which it consumes too. Nothing
// else changes, so one template (the committed configs) makes every N, and N = 1 is them as they are.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { busBinding, busQueue, MAX_BUS_SHARDS } from '../shared/queue-names.ts';

type Producer = { binding: string; queue: string };
type Consumer = { queue: string; dead_letter_queue?: string } & Record<string, unknown>;
/** A wrangler config as written (the TOML's own keys), the part of it this file reads and changes. */
export type RawConfig = Record<string, unknown> & {
  name: string;
  main?: string;
  vars?: Record<string, unknown>;
  queues?: { producers?: Producer[]; consumers?: Consumer[] };
  d1_databases?: ({ migrations_dir?: string } & Record<string, unknown>)[];
};

const BUS = busQueue(0);
const dlq = (queue: string) => `${queue}-dlq`;

/** A committed config, as written. */
export function readRawConfig(root: string, path: string): RawConfig {
  return getStaticTOMLValue(parseTOML(readFileSync(resolve(root, path), 'utf8'))) as RawConfig;
}

/** How many shards the committed configs give the bus: the router's `BUS_SHARDS`. */
export function committedBusShards(root: string, configs: readonly string[]): number {
  for (const path of configs) {
    const vars = readRawConfig(root, path).vars;
    if (vars?.BUS_SHARDS !== undefined) return Number(vars.BUS_SHARDS);
  }
  return 1;
}

/** Checks a shard count: a whole number from 1 to {@link MAX_BUS_SHARDS}. */
export function checkBusShards(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_BUS_SHARDS) {
    throw new Error(`the bus takes 1 to ${MAX_BUS_SHARDS} shards, not ${n}`);
  }
  return n;
}

/** Whether the bus's shards change a Worker's config: it publishes to the bus, routes it, or says how many shards it has. */
export function touchesBus(raw: RawConfig): boolean {
  const queues = [...(raw.queues?.producers ?? []), ...(raw.queues?.consumers ?? [])].map((q) => q.queue);
  return queues.includes(BUS) || raw.vars?.BUS_SHARDS !== undefined;
}

/** A config's consumer of the bus (the router's), with its settings, if it has one. */
export function busConsumer(raw: RawConfig): Consumer | undefined {
  return raw.queues?.consumers?.find((c) => c.queue === BUS);
}

/**
 * One Worker's config with the bus in `n` shards; paths made absolute (`dir` is the committed
 * config's directory), so the result may be written anywhere.
 */
export function shardedConfig(raw: RawConfig, dir: string, n: number): RawConfig {
  const shards = Array.from({ length: n - 1 }, (_, i) => i + 1);
  const producers = raw.queues?.producers ?? [];
  const consumers = raw.queues?.consumers ?? [];
  const publishes = producers.some((p) => p.queue === BUS && p.binding === busBinding(0));
  const routes = busConsumer(raw);
  const keepsDeadLetters = consumers.find((c) => c.queue === dlq(BUS));
  return {
    ...raw,
    ...(raw.main && { main: resolve(dir, raw.main) }),
    ...(raw.vars?.BUS_SHARDS !== undefined && { vars: { ...raw.vars, BUS_SHARDS: String(n) } }),
    ...(raw.d1_databases && {
      d1_databases: raw.d1_databases.map((db) => ({
        ...db,
        ...(db.migrations_dir && { migrations_dir: resolve(dir, db.migrations_dir) }),
      })),
    }),
    queues: {
      ...raw.queues,
      producers: [...producers, ...(publishes ? shards.map((i) => ({ binding: busBinding(i), queue: busQueue(i) })) : [])],
      consumers: [
        ...consumers,
        ...(routes
          ? shards.map((i) => ({
              ...routes,
              queue: busQueue(i),
              ...(routes.dead_letter_queue && { dead_letter_queue: dlq(busQueue(i)) }),
            }))
          : []),
        ...(keepsDeadLetters ? shards.map((i) => ({ ...keepsDeadLetters, queue: dlq(busQueue(i)) })) : []),
      ],
    },
  };
}

/**
 * Writes every config with the bus in `n` shards to `outDir` (as JSON, which wrangler reads like
 * TOML) and answers their paths, in the order of `configs`; a config the bus does not touch (the
 * gateway) stays where it is. With `n` = 1 the committed configs are answered as they are.
 */
export function writeShardedConfigs(root: string, configs: readonly string[], n: number, outDir: string): string[] {
  checkBusShards(n);
  if (n === 1) return [...configs];
  mkdirSync(outDir, { recursive: true });
  return configs.map((path) => {
    const raw = readRawConfig(root, path);
    if (!touchesBus(raw)) return path;
    const out = join(outDir, `${raw.name}.json`);
    writeFileSync(out, `${JSON.stringify(shardedConfig(raw, dirname(resolve(root, path)), n), null, 2)}\n`);
    return out;
  });
}
