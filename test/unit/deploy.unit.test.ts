import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { describe, expect, it } from 'vitest';
import { configs, root } from '../../scripts/local.ts';
import {
  checkStorageGenerations,
  isPlaceholderId,
  readWorkerConfigs,
  releaseOrder,
  resourcesOf,
  setupCommands,
  shiftCommands,
  type WorkerConfig,
} from '../../scripts/resources.ts';
import { checkBusShards, committedBusShards, writeShardedConfigs } from '../../scripts/shards.ts';
import { withTomlValue } from '../../scripts/toml-edit.ts';

const workers = readWorkerConfigs(root, configs);
const resources = resourcesOf(workers);
const commands = setupCommands(resources).map((args) => args.join(' '));

/** Every value under a key called `key`, anywhere in a config read as plain TOML (not through wrangler). */
function valuesOf(key: string): { config: string; value: string }[] {
  const found: { config: string; value: string }[] = [];
  const walk = (config: string, node: unknown): void => {
    if (Array.isArray(node)) for (const item of node) walk(config, item);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === key) for (const value of [v].flat()) found.push({ config, value: String(value) });
        walk(config, v);
      }
    }
  };
  for (const config of configs) walk(config, getStaticTOMLValue(parseTOML(readFileSync(join(root, config), 'utf8'))));
  return found;
}

describe('deploy setup, derived from the wrangler configs', () => {
  it('knows every wrangler config in the project', () => {
    const onDisk = [
      'wrangler.toml',
      ...readdirSync(join(root, 'workers'))
        .map((w) => `workers/${w}/wrangler.toml`)
        .filter((path) => existsSync(join(root, path))),
    ];
    expect([...configs].sort()).toEqual(onDisk.sort());
  });

  it('creates every queue a config produces to, consumes or dead-letters to', () => {
    const named = [...valuesOf('queue'), ...valuesOf('dead_letter_queue')];
    expect(named.length).toBeGreaterThan(30);
    for (const { config, value } of named) expect(commands, `${value} (${config})`).toContain(`queues create ${value}`);
  });

  it('creates the webhook queue and its dead-letter queue that notifications binds', () => {
    expect(commands).toEqual(expect.arrayContaining(['queues create conveyor-webhooks', 'queues create conveyor-webhooks-dlq']));
  });

  it('creates every R2 bucket and D1 database, and nothing twice', () => {
    for (const { value } of valuesOf('bucket_name')) expect(commands).toContain(`r2 bucket create ${value}`);
    for (const { value } of valuesOf('database_name')) expect(commands).toContain(`d1 create ${value}`);
    expect(new Set(commands).size).toBe(commands.length);
  });

  it('finds a migration that creates every Durable Object class', () => {
    const classes = valuesOf('class_name').map((c) => c.value);
    expect(resources.durableObjects.map((d) => d.className).sort()).toEqual([...new Set(classes)].sort());
    for (const d of resources.durableObjects) expect(d.createdBy, `${d.worker} ${d.className}`).toBeDefined();
  });

  it('gives every queue consumer a dead-letter queue, and every dead-letter queue a consumer', () => {
    const consumers = workers.flatMap((w) => w.config.queues.consumers ?? []);
    const consumed = new Set(consumers.map((c) => c.queue));
    const deadLetterQueues = consumers.flatMap((c) => (c.dead_letter_queue ? [c.dead_letter_queue] : []));
    const withoutDeadLetters = consumers.filter((c) => !c.dead_letter_queue && !deadLetterQueues.includes(c.queue));
    expect(withoutDeadLetters.map((c) => c.queue)).toEqual([]);
    expect(deadLetterQueues.filter((q) => !consumed.has(q))).toEqual([]);
  });

  it('asks for every declared secret, and knows the payment key is unused with the sandbox', () => {
    const declared = valuesOf('required').map((s) => s.value);
    expect(resources.secrets.map((s) => s.name).sort()).toEqual(declared.sort());
    expect(resources.secrets.filter((s) => s.unused).map((s) => s.name)).toEqual(['PAYMENT_API_KEY']);
  });

  it('needs the payment key once payments talks to a real provider', () => {
    const http = workers.map(
      (w): WorkerConfig =>
        w.config.name === 'conveyor-payments'
          ? { ...w, config: { ...w.config, vars: { ...w.config.vars, PAYMENT_PROVIDER: 'http' } } }
          : w,
    );
    expect(resourcesOf(http).secrets.find((s) => s.name === 'PAYMENT_API_KEY')).not.toHaveProperty('unused');
  });

  it('needs a mail API key only when notifications sends through Resend', () => {
    const withKey = (vars: Record<string, string>) =>
      resourcesOf(
        workers.map(
          (w): WorkerConfig =>
            w.config.name === 'conveyor-notifications'
              ? { ...w, config: { ...w.config, vars: { ...w.config.vars, ...vars }, secrets: { required: ['RESEND_API_KEY'] } } }
              : w,
        ),
      ).secrets.find((s) => s.name === 'RESEND_API_KEY');
    expect(withKey({})).toHaveProperty('unused');
    expect(withKey({ MAIL_PROVIDER: 'resend' })).not.toHaveProperty('unused');
  });

  it('still has the local placeholder D1 ids committed, which a release refuses', () => {
    expect(resources.databases.map((db) => isPlaceholderId(db.id))).toEqual(resources.databases.map(() => true));
    expect(isPlaceholderId('5e1c7a52-8a33-4f4e-9d6c-0c7f5b1d2a90')).toBe(false);
  });
});

describe('what is public', () => {
  const byName = Object.fromEntries(workers.map((w) => [w.config.name!, w.config]));

  it('gives only the gateway a public URL', () => {
    const internal = workers.filter((w) => w.path !== 'wrangler.toml').map((w) => w.config);
    expect(internal.map((c) => [c.name, c.workers_dev, c.routes ?? []])).toEqual(internal.map((c) => [c.name, false, []]));
    expect(byName['conveyor-gateway']!.workers_dev).toBe(true);
  });

  it('minifies every Worker and uploads its source maps', () => {
    expect(workers.map((w) => [w.config.name, w.config.minify, w.config.upload_source_maps])).toEqual(
      workers.map((w) => [w.config.name, true, true]),
    );
  });
});

describe('release order and traffic shifts', () => {
  it('deploys every service before the gateway that binds them', () => {
    expect(releaseOrder(configs).at(-1)).toBe('wrangler.toml');
    expect([...releaseOrder(configs)].sort()).toEqual([...configs].sort());
  });

  it('splits traffic between the new and the serving version of every Worker', () => {
    const shift = shiftCommands(configs, { tag: 'b2', percent: 10, from: 'a1' });
    expect(shift).toHaveLength(configs.length);
    expect(shift[0]!.join(' ')).toBe(
      `versions deploy --version-tag b2@10% --version-tag a1@90% --message b2 at 10% -y -c ${configs[0]}`,
    );
  });

  it('moves all traffic to one tag at 100 %, which is also how a rollback reads', () => {
    expect(shiftCommands(['wrangler.toml'], { tag: 'a1', percent: 100 })[0]).toEqual(
      expect.arrayContaining(['--version-tag', 'a1@100%']),
    );
    expect(() => shiftCommands(configs, { tag: 'b2', percent: 10 })).toThrow(/--from/);
    expect(() => shiftCommands(configs, { tag: 'b2', percent: 0 })).toThrow(/percentage/);
  });
});

describe('traffic shifts across Durable Object storage generations', () => {
  const generations: Record<string, number> = { old1: 1, a2: 2, b2: 2 };
  const generationOf = (tag: string) => generations[tag];

  it('lets releases of one generation split traffic and roll back to each other', () => {
    expect(() => checkStorageGenerations({ tag: 'b2', percent: 10, from: 'a2' }, generationOf, 2)).not.toThrow();
    expect(() => checkStorageGenerations({ tag: 'a2', percent: 100 }, generationOf, 2)).not.toThrow();
  });

  it('refuses a split between generations: the older code would wake objects the newer one reshaped', () => {
    expect(() => checkStorageGenerations({ tag: 'a2', percent: 10, from: 'old1' }, generationOf, 2)).toThrow(
      /a2 \(storage generation 2\) and old1 \(1\) cannot serve side by side.*npm run deploy/,
    );
  });

  it('refuses a rollback to an older generation, and a tag whose generation it cannot read', () => {
    expect(() => checkStorageGenerations({ tag: 'old1', percent: 100 }, generationOf, 2)).toThrow(
      /old1 has storage generation 1, older than this checkout's 2.*Roll forward/,
    );
    expect(() => checkStorageGenerations({ tag: 'nightly', percent: 100 }, generationOf, 2)).toThrow(/--tag <commit>/);
  });
});

describe('writing a D1 id into a config', () => {
  const toml = readFileSync(join(root, 'workers/query/wrangler.toml'), 'utf8');
  const address = { table: ['d1_databases'], where: { database_name: 'conveyor-query' }, key: 'database_id' };
  const id = '5e1c7a52-8a33-4f4e-9d6c-0c7f5b1d2a90';

  it('changes that value and nothing else, comments included', () => {
    const written = withTomlValue(toml, address, id);
    const before = toml.split('\n');
    const changed = written.split('\n').flatMap((line, i) => (line === before[i] ? [] : [[before[i], line]]));
    expect(changed).toEqual([[expect.stringMatching(/^database_id = "0{8}-/), `database_id = "${id}"`]]);
  });

  it('refuses a database the config does not bind', () => {
    expect(() => withTomlValue(toml, { ...address, where: { database_name: 'conveyor-orders' } }, id)).toThrow(/found 0/);
  });
});

describe('the bus in N shards, generated from the committed configs', () => {
  const out = mkdtempSync(join(tmpdir(), 'conveyor-shards-'));
  const generated = writeShardedConfigs(root, configs, 4, out);
  const sharded = readWorkerConfigs(root, generated);
  const shardedCommands = setupCommands(resourcesOf(sharded)).map((args) => args.join(' '));
  const byName = Object.fromEntries(sharded.map((w) => [w.config.name!, w.config]));
  const busQueues = ['conveyor-bus', 'conveyor-bus-1', 'conveyor-bus-2', 'conveyor-bus-3'];

  it('runs the bus in one shard as committed, locally and by default', () => {
    expect(committedBusShards(root, configs)).toBe(1);
    expect(writeShardedConfigs(root, configs, 1, out)).toEqual(configs);
    expect(() => checkBusShards(0)).toThrow(/1 to 64/);
    expect(() => checkBusShards(65)).toThrow(/1 to 64/);
  });

  it('has every Worker that publishes to the bus bind every shard', () => {
    for (const w of sharded) {
      const producers = w.config.queues.producers ?? [];
      if (!producers.some((p) => p.queue === 'conveyor-bus')) continue;
      expect(
        producers.filter((p) => busQueues.includes(p.queue!)).map((p) => [p.binding, p.queue]),
        w.config.name,
      ).toEqual([
        ['BUS', 'conveyor-bus'],
        ['BUS_1', 'conveyor-bus-1'],
        ['BUS_2', 'conveyor-bus-2'],
        ['BUS_3', 'conveyor-bus-3'],
      ]);
    }
    const publishers = [
      'conveyor-orders',
      'conveyor-inventory',
      'conveyor-payments',
      'conveyor-shipping',
      'conveyor-notifications',
    ];
    for (const name of publishers)
      expect(
        byName[name]!.queues.producers?.map((p) => p.binding),
        name,
      ).toContain('BUS_3');
  });

  it('has the router consume every shard alike, each with its own dead-letter queue, which it consumes too', () => {
    const router = byName['conveyor-router']!;
    const consumers = router.queues.consumers ?? [];
    const routed = consumers.filter((c) => busQueues.includes(c.queue));
    expect(routed.map((c) => [c.queue, c.dead_letter_queue])).toEqual(busQueues.map((q) => [q, `${q}-dlq`]));
    const settings = routed.map(({ queue: _, dead_letter_queue: __, ...rest }) => rest);
    for (const s of settings) expect(s).toEqual(settings[0]);
    for (const q of busQueues) expect(consumers.map((c) => c.queue)).toContain(`${q}-dlq`);
    expect(router.vars.BUS_SHARDS).toBe('4');
    // No other Worker consumes a shard: a queue has one consumer.
    for (const w of sharded.filter((s) => s.config.name !== 'conveyor-router'))
      expect(
        (w.config.queues.consumers ?? []).filter((c) => c.queue.startsWith('conveyor-bus')),
        w.config.name,
      ).toEqual([]);
  });

  it('creates every shard’s queue and dead-letter queue, and still every queue exactly once', () => {
    for (const q of busQueues)
      expect(shardedCommands).toEqual(expect.arrayContaining([`queues create ${q}`, `queues create ${q}-dlq`]));
    expect(new Set(shardedCommands).size).toBe(shardedCommands.length);
    expect(shardedCommands.filter((c) => !commands.includes(c)).sort()).toEqual(
      [
        'conveyor-bus-1',
        'conveyor-bus-1-dlq',
        'conveyor-bus-2',
        'conveyor-bus-2-dlq',
        'conveyor-bus-3',
        'conveyor-bus-3-dlq',
      ].map((q) => `queues create ${q}`),
    );
  });

  it('keeps every consumer with a dead-letter queue, and every dead-letter queue with a consumer', () => {
    const consumers = sharded.flatMap((w) => w.config.queues.consumers ?? []);
    const consumed = new Set(consumers.map((c) => c.queue));
    const deadLetterQueues = consumers.flatMap((c) => (c.dead_letter_queue ? [c.dead_letter_queue] : []));
    expect(consumers.filter((c) => !c.dead_letter_queue && !deadLetterQueues.includes(c.queue)).map((c) => c.queue)).toEqual([]);
    expect(deadLetterQueues.filter((q) => !consumed.has(q))).toEqual([]);
  });

  it('writes configs wrangler reads as the committed ones: same code, databases and objects, from anywhere', () => {
    for (const [i, w] of sharded.entries()) {
      const committed = workers[i]!.config;
      expect(w.config.name).toBe(committed.name);
      expect(w.config.main).toBe(committed.main);
      expect(w.config.d1_databases.map((d) => [d.binding, d.database_name, d.migrations_dir])).toEqual(
        committed.d1_databases.map((d) => [
          d.binding,
          d.database_name,
          resolve(root, dirname(workers[i]!.path), d.migrations_dir!),
        ]),
      );
      expect(w.config.durable_objects.bindings).toEqual(committed.durable_objects.bindings);
      expect(existsSync(w.config.main!)).toBe(true);
    }
    // The gateway does not touch the bus: it deploys from its committed config.
    expect(generated[0]).toBe('wrangler.toml');
  });
});
