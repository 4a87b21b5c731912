// What the Workers need from a Cloudflare account, read from their own wrangler configs by
// wrangler's own parser, so a binding added to a config is created without anyone listing it here.
import { resolve } from 'node:path';
import { type Unstable_Config, unstable_readConfig } from 'wrangler';

/** One Worker's config as wrangler reads it, and where it lives (relative to the project root). */
export interface WorkerConfig {
  path: string;
  config: Unstable_Config;
}

/** Each Worker's config as wrangler reads it; a path is relative to the project root, or absolute (a generated config). */
export function readWorkerConfigs(root: string, paths: readonly string[]): WorkerConfig[] {
  return paths.map((path) => ({ path, config: unstable_readConfig({ config: resolve(root, path) }, { hideWarnings: true }) }));
}

export interface Database {
  name: string;
  /** The id in the config: a placeholder until `npm run deploy -- --setup` writes the real one. */
  id: string | undefined;
  binding: string;
  config: string;
}

export interface Secret {
  worker: string;
  config: string;
  name: string;
  /** Declared (so wrangler insists on a value) but unused in this configuration, e.g. a provider's key with the sandbox. */
  unused?: string;
}

export interface DurableObjectClass {
  worker: string;
  className: string;
  /** The migration tag that creates it (with SQLite storage); undefined means `wrangler deploy` would fail. */
  createdBy: string | undefined;
}

export interface Resources {
  /** Every queue a Worker sends to, consumes, or dead-letters to. */
  queues: string[];
  buckets: string[];
  databases: Database[];
  durableObjects: DurableObjectClass[];
  secrets: Secret[];
}

/**
 * Secrets a Worker declares but reads only in some configurations, with the reason they are
 * unused in this one (undefined: used).
 */
const unusedWhen: Record<string, (vars: Record<string, unknown>) => string | undefined> = {
  PAYMENT_API_KEY: (vars) =>
    vars.PAYMENT_PROVIDER === 'http' ? undefined : `PAYMENT_PROVIDER is "${vars.PAYMENT_PROVIDER}", which needs no key`,
  RESEND_API_KEY: (vars) =>
    vars.MAIL_PROVIDER === 'resend' ? undefined : `MAIL_PROVIDER is "${vars.MAIL_PROVIDER ?? 'sink'}", which needs no key`,
};

/** Everything to create (or check) in the account for these Workers. */
export function resourcesOf(workers: WorkerConfig[]): Resources {
  const queues = new Set<string>();
  const buckets = new Set<string>();
  const databases: Database[] = [];
  const durableObjects: DurableObjectClass[] = [];
  const secrets: Secret[] = [];
  for (const { path, config } of workers) {
    const worker = config.name!;
    for (const producer of config.queues.producers ?? []) if (producer.queue) queues.add(producer.queue);
    for (const consumer of config.queues.consumers ?? []) {
      queues.add(consumer.queue);
      if (consumer.dead_letter_queue) queues.add(consumer.dead_letter_queue);
    }
    for (const bucket of config.r2_buckets) if (bucket.bucket_name) buckets.add(bucket.bucket_name);
    for (const db of config.d1_databases) {
      databases.push({ name: db.database_name!, id: db.database_id, binding: db.binding, config: path });
    }
    for (const binding of config.durable_objects.bindings) {
      if (binding.script_name && binding.script_name !== worker) continue;
      const createdBy = config.migrations.find((m) => m.new_sqlite_classes?.includes(binding.class_name))?.tag;
      durableObjects.push({ worker, className: binding.class_name, createdBy });
    }
    for (const name of config.secrets?.required ?? []) {
      const unused = unusedWhen[name]?.(config.vars);
      secrets.push({ worker, config: path, name, ...(unused && { unused }) });
    }
  }
  return { queues: [...queues].sort(), buckets: [...buckets].sort(), databases, durableObjects, secrets };
}

/** A D1 id that only local runs use: the committed configs carry these until setup replaces them. */
export const isPlaceholderId = (id: string | undefined) => !id || /^0{8}-0{4}-0{4}-0{4}-0{11}[0-9a-f]$/i.test(id);

/** The wrangler commands that create every resource; each may answer "already exists". */
export function setupCommands(resources: Resources): string[][] {
  return [
    ...resources.queues.map((queue) => ['queues', 'create', queue]),
    ...resources.buckets.map((bucket) => ['r2', 'bucket', 'create', bucket]),
    ...[...new Set(resources.databases.map((db) => db.name))].map((name) => ['d1', 'create', name]),
  ];
}

/** Services first, the gateway (the first config) last: its service bindings need them in place. */
export function releaseOrder(configs: readonly string[]): string[] {
  const [gateway, ...services] = configs;
  return [...services, gateway!];
}

/**
 * The `wrangler versions deploy` per Worker that gives the version tagged `tag` `percent` % of its
 * traffic and the one tagged `from` the rest (at 100 %, `from` is not needed: a full release or a
 * rollback).
 */
export function shiftCommands(configs: readonly string[], shift: { tag: string; percent: number; from?: string | undefined }) {
  const { tag, percent, from } = shift;
  if (!(percent > 0 && percent <= 100)) throw new Error(`--shift takes a percentage above 0 and up to 100, not ${percent}`);
  if (percent < 100 && !from) throw new Error('--shift below 100 needs --from <the tag of the version serving now>');
  const specs = percent === 100 ? [`${tag}@100%`] : [`${tag}@${percent}%`, `${from}@${100 - percent}%`];
  return configs.map((config) => [
    'versions',
    'deploy',
    ...specs.flatMap((spec) => ['--version-tag', spec]),
    '--message',
    `${tag} at ${percent}%`,
    '-y',
    '-c',
    config,
  ]);
}

/**
 * Refuses a traffic shift that would let code of two Durable Object storage generations
 * (`STORAGE_GENERATION` in shared/schema.ts) serve the same objects: a split between releases of
 * different generations, or a shift back to a release older than this checkout's generation. Such
 * a release goes out with `npm run deploy` (all at once), and a bad one is rolled forward.
 * `generationOf` answers a release tag's generation, or undefined when it cannot tell.
 */
export function checkStorageGenerations(
  shift: { tag: string; percent: number; from?: string | undefined },
  generationOf: (tag: string) => number | undefined,
  current: number,
): void {
  const known = (tag: string) => {
    const generation = generationOf(tag);
    if (generation === undefined)
      throw new Error(
        `cannot tell which Durable Object storage generation release ${tag} has: name releases by their git commit (--tag <commit>)`,
      );
    return generation;
  };
  const target = known(shift.tag);
  if (shift.percent < 100 && shift.from) {
    const serving = known(shift.from);
    if (serving !== target)
      throw new Error(
        `${shift.tag} (storage generation ${target}) and ${shift.from} (${serving}) cannot serve side by side: ` +
          'the older code cannot use the tables the newer one reshaped. Release it with `npm run deploy` (all at once).',
      );
  }
  if (target < current)
    throw new Error(
      `${shift.tag} has storage generation ${target}, older than this checkout's ${current}: it cannot use the ` +
        'Durable Objects the newer code has touched. Roll forward with a fix instead (`npm run deploy`).',
    );
}
