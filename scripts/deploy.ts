// Production, from the wrangler configs themselves:
//   npm run deploy -- --plan      what the account needs (offline: reads the configs only)
//   npm run deploy -- --setup     creates it once: queues with their dead-letter queues, R2, D1 (ids written into the configs)
//   npm run deploy                a release: D1 migrations, then every service, then the gateway
//   npm run deploy -- --upload    a staged release: a new version of every Worker, tagged, serving no traffic yet
//   npm run deploy -- --shift 10 --tag <new> --from <old>    that version takes 10 % of every Worker's traffic
//   npm run deploy -- --shift 100 --tag <old>                back to an earlier release (a rollback)
//   … --bus-shards 16             any of these with the bus in 16 shards (default: BUS_SHARDS in the
//                                 environment, else the router's wrangler.toml); see scripts/shards.ts
// Releases are tagged with the git commit (or --tag), so each can be named when shifting traffic.
// Secrets come from the environment or `--secrets-file <path>` (dotenv or JSON), and are uploaded
// with the release; a secret already set on a deployed Worker is kept.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STORAGE_GENERATION } from '../shared/schema.ts';
import { configs, root, run } from './local.ts';
import { stopOnInterrupt } from './processes.ts';
import {
  checkStorageGenerations,
  isPlaceholderId,
  readWorkerConfigs,
  releaseOrder,
  resourcesOf,
  type Secret,
  setupCommands,
  shiftCommands,
} from './resources.ts';
import { checkBusShards, committedBusShards, writeShardedConfigs } from './shards.ts';
import { withTomlValue } from './toml-edit.ts';

stopOnInterrupt();
process.env.CONVEYOR_ONLINE = '1';

const { values: options } = parseArgs({
  options: {
    plan: { type: 'boolean', default: false },
    setup: { type: 'boolean', default: false },
    upload: { type: 'boolean', default: false },
    shift: { type: 'string' },
    from: { type: 'string' },
    'secrets-file': { type: 'string' },
    tag: { type: 'string' },
    message: { type: 'string' },
    'bus-shards': { type: 'string' },
  },
});

// The bus in N shards: every config that touches it generated from the committed one (N = 1: as committed).
const busShards = checkBusShards(Number(options['bus-shards'] ?? process.env.BUS_SHARDS ?? committedBusShards(root, configs)));
const deployed = writeShardedConfigs(root, configs, busShards, join(root, '.wrangler', 'deploy', `bus-${busShards}`));
// D1 ids are written into, and migrations applied from, the committed configs; the rest comes from what is deployed.
const resources = {
  ...resourcesOf(readWorkerConfigs(root, deployed)),
  databases: resourcesOf(readWorkerConfigs(root, configs)).databases,
};
const order = releaseOrder(deployed);

function plan() {
  const list = (title: string, items: string[]) =>
    console.log(`${title} (${items.length})\n${items.map((i) => `  ${i}`).join('\n')}\n`);
  list(
    `Worker configs (the bus in ${busShards} shard${busShards === 1 ? '' : 's'})`,
    deployed.map((p) => relative(root, resolve(root, p))),
  );
  list('Queues', resources.queues);
  list('R2 buckets', resources.buckets);
  list(
    'D1 databases',
    resources.databases.map(
      (db) => `${db.name}  ${isPlaceholderId(db.id) ? '(not created yet: run --setup)' : db.id}  ${db.config}`,
    ),
  );
  list(
    'Durable Object classes (created by their migrations on deploy)',
    resources.durableObjects.map((d) => `${d.worker} ${d.className}  migration ${d.createdBy ?? 'MISSING'}`),
  );
  list(
    'Secrets',
    resources.secrets.map((s) => `${s.worker} ${s.name}${s.unused ? `  (unused: ${s.unused})` : ''}`),
  );
}

async function ignoreExisting(args: string[]) {
  try {
    await run(args, false);
  } catch (error) {
    if (!/already exists|already taken|already owned|11009|10004|7502/i.test(String(error))) throw error;
    console.log(`  (exists) ${args.join(' ')}`);
  }
}

async function setup() {
  for (const command of setupCommands(resources)) await ignoreExisting(command);
  for (const db of resources.databases) {
    const info = JSON.parse(await run(['d1', 'info', db.name, '--json'])) as { uuid: string };
    const path = join(root, db.config);
    const address = { table: ['d1_databases'], where: { database_name: db.name }, key: 'database_id' };
    writeFileSync(path, withTomlValue(readFileSync(path, 'utf8'), address, info.uuid));
    console.log(`  ${db.name}: ${info.uuid} → ${db.config}`);
  }
  console.log('\nCommit the configs with their D1 ids. The first release needs these secrets:');
  for (const s of resources.secrets.filter((s) => !s.unused)) console.log(`  ${s.name} (${s.worker})`);
}

/** Secret values from the environment, else from the secrets file. */
function secretValues(): Record<string, string> {
  const path = options['secrets-file'];
  const fromFile: Record<string, string> = !path
    ? {}
    : path.endsWith('.json')
      ? JSON.parse(readFileSync(path, 'utf8'))
      : Object.fromEntries(
          readFileSync(path, 'utf8')
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line && !line.startsWith('#') && line.includes('='))
            .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]),
        );
  const names = new Set(resources.secrets.map((s) => s.name));
  return Object.fromEntries(
    [...names].flatMap((name) => {
      const value = process.env[name] ?? fromFile[name];
      return value ? [[name, value]] : [];
    }),
  );
}

/** The names of the secrets already set on a deployed Worker (none if it is not deployed yet). */
async function secretsSet(config: string): Promise<Set<string>> {
  try {
    const listed = JSON.parse(await run(['secret', 'list', '-c', config, '--format', 'json'])) as { name: string }[];
    return new Set(listed.map((s) => s.name));
  } catch {
    return new Set();
  }
}

/**
 * Per Worker, the secrets to upload with its release. A used secret with no value here must
 * already be set on the Worker, or nothing is deployed; an unused one gets a value that says why,
 * since wrangler requires every declared secret.
 */
async function secretsPerWorker(): Promise<Map<string, Record<string, string>>> {
  const values = secretValues();
  const perWorker = new Map<string, Record<string, string>>();
  const missing: Secret[] = [];
  for (const config of order) {
    const declared = resources.secrets.filter((s) => s.config === config);
    if (declared.length === 0) continue;
    const set = await secretsSet(config);
    const upload: Record<string, string> = {};
    for (const secret of declared) {
      const value = values[secret.name];
      if (value) upload[secret.name] = value;
      else if (secret.unused && !set.has(secret.name)) upload[secret.name] = `unused: ${secret.unused}`;
      else if (!set.has(secret.name)) missing.push(secret);
    }
    perWorker.set(config, upload);
  }
  if (missing.length > 0) {
    throw new Error(
      `These secrets have no value yet:\n${missing.map((s) => `  ${s.name} (${s.worker})`).join('\n')}\n` +
        'Set each in the environment or in a file passed with --secrets-file <path> (NAME=value lines), then run again.',
    );
  }
  return perWorker;
}

/** `wrangler deploy` or `wrangler versions upload` of every Worker, each with its secrets file. */
async function release(command: string[]) {
  const unset = resources.databases.filter((db) => isPlaceholderId(db.id));
  if (unset.length > 0)
    throw new Error(`D1 ids not set in ${unset.map((d) => d.config).join(', ')}: run npm run deploy -- --setup`);
  const secrets = await secretsPerWorker();
  // Schema changes are additive (expand, then contract a release later), so the old code keeps working on the new schema.
  for (const db of resources.databases) await run(['d1', 'migrations', 'apply', db.name, '--remote', '-c', db.config], false);
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-secrets-'));
  try {
    for (const config of order) {
      const upload = secrets.get(config);
      // Production metrics go to Analytics Engine only; the local MetricsDO store is for wrangler dev.
      const args = [...command, '-c', config, '--var', 'METRICS_STORE:analytics-engine'];
      if (upload && Object.keys(upload).length > 0) {
        const file = join(dir, 'secrets.json');
        writeFileSync(file, JSON.stringify(upload), { mode: 0o600 });
        args.push('--secrets-file', file);
      }
      await run(args, false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  const tag = options.tag ?? gitRevision();
  if (options.plan) plan();
  else if (options.setup) await setup();
  else if (options.shift) {
    const shift = { tag, percent: Number(options.shift), from: options.from };
    checkStorageGenerations(shift, storageGenerationOf, STORAGE_GENERATION);
    for (const args of shiftCommands(order, shift)) await run(args, false);
  } else if (options.upload) {
    await release(['versions', 'upload', '--tag', tag, '--message', options.message ?? `release ${tag}`]);
    console.log(`\nEvery Worker has a new version tagged ${tag}, serving no traffic yet. Then:`);
    console.log(`  npm run deploy -- --shift 10 --tag ${tag} --from <the tag serving now>`);
  } else await release(['deploy', '--tag', tag, '--message', options.message ?? `release ${tag}`]);
} catch (error) {
  console.error(`\nnpm run deploy failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

/** A release's storage generation, read from its commit's shared/schema.ts (1 before it was declared); undefined without that commit. */
function storageGenerationOf(tag: string): number | undefined {
  try {
    const source = execFileSync('git', ['show', `${tag}:shared/schema.ts`], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    return Number(/STORAGE_GENERATION = (\d+)/.exec(source)?.[1] ?? 1);
  } catch {
    return undefined;
  }
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  }
}
