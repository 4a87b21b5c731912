// The local topology: `npm start` runs it, `npm run token` signs for it, the tests read its configs and secrets.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign } from 'hono/jwt';
import { demoCatalog } from './demo-catalog.ts';
import { assertPortFree, spawnTracked, stopGroup, stopLeftover } from './processes.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every Worker's config; the gateway first, so it is the one `wrangler dev` serves on the port. */
export const configs = [
  'wrangler.toml',
  // Before the services that bind it, so a release deploys it first.
  'workers/vault/wrangler.toml',
  'workers/orders/wrangler.toml',
  'workers/inventory/wrangler.toml',
  'workers/payments/wrangler.toml',
  'workers/shipping/wrangler.toml',
  'workers/notifications/wrangler.toml',
  'workers/router/wrangler.toml',
  'workers/query/wrangler.toml',
];

// Local runs never need Cloudflare's network; `npm run deploy` does, so it leaves these unset.
const offline = () =>
  process.env.CONVEYOR_ONLINE ? {} : { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };
// Run wrangler on the Node that runs this script (the pinned one under npm), whatever PATH says.
const wrangler = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

/**
 * The local secrets, made from `.dev.vars.example` on first use; a setting the example has gained
 * since (e.g. `AUTH_MODE=local`) is appended to an older `.dev.vars`, which keeps its own values.
 */
export function devVars(): Record<string, string> {
  const path = join(root, '.dev.vars');
  const example = join(root, '.dev.vars.example');
  if (!existsSync(path)) copyFileSync(example, path);
  const vars = parseVars(readFileSync(path, 'utf8'));
  const missing = Object.entries(parseVars(readFileSync(example, 'utf8'))).filter(([key]) => !(key in vars));
  if (missing.length > 0) {
    appendFileSync(path, `\n# Added from .dev.vars.example\n${missing.map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
    Object.assign(vars, Object.fromEntries(missing));
  }
  return vars;
}

function parseVars(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]),
  );
}

/** A customer JWT (HS256, `sub` = customer id), valid for `hours`. */
export async function customerToken(customerId: string, secret = devVars().JWT_SECRET!, hours = 24 * 30): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: customerId, iat: now, exp: now + hours * 3600 }, secret, 'HS256');
}

/** Runs wrangler from the project root; rejects with its output when it fails. */
export function run(args: string[], quiet = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [wrangler, ...args], {
      cwd: root,
      env: { ...process.env, ...offline() },
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`wrangler ${args.join(' ')} failed:\n${output}`)),
    );
  });
}

/** Applies every D1 migration, of every database any config binds, to the local databases under `persistTo`. */
export async function migrate(persistTo: string): Promise<void> {
  // Loaded here: wrangler's config reader is large, and `npm run token` needs none of it.
  const { readWorkerConfigs, resourcesOf } = await import('./resources.ts');
  // One at a time: the local databases share a lock.
  for (const { config, name } of resourcesOf(readWorkerConfigs(root, configs)).databases) {
    await run(['d1', 'migrations', 'apply', name, '--local', '-c', config, '--persist-to', persistTo]);
  }
}

/**
 * The configs a local topology runs: as committed (the bus in one shard), or with the bus in
 * `BUS_SHARDS` shards, generated from them (scripts/shards.ts) into `.wrangler/shards/`.
 */
export async function topologyConfigs(busShards = Number(process.env.BUS_SHARDS ?? 1)): Promise<string[]> {
  const { writeShardedConfigs } = await import('./shards.ts');
  return writeShardedConfigs(root, configs, busShards, join(root, '.wrangler', 'shards', `bus-${busShards}`));
}

export interface Topology {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts every Worker in one `wrangler dev` and waits until the gateway answers. First stops a
 * topology left running on the same state by a run that was killed outright, and fails at once if
 * the port is taken. Every process it starts is stopped when the calling script ends, however it
 * ends (with {@link stopOnInterrupt} installed for signals).
 */
export async function startTopology(options: {
  port: number;
  persistTo: string;
  quiet?: boolean;
  /** Shards of the bus (default: `BUS_SHARDS` in the environment, else 1). */
  busShards?: number;
  /** Other Workers than the product's (the bench's trivial Worker), and a path that answers 200 once they are up. */
  only?: { configs: string[]; readyPath: string };
}): Promise<Topology> {
  mkdirSync(options.persistTo, { recursive: true });
  const pidFile = join(options.persistTo, 'wrangler-dev.pid');
  const leftover = await stopLeftover(pidFile, 'wrangler');
  if (leftover) console.error(`Stopped Workers left running by an earlier start (process group ${leftover}).`);
  await assertPortFree(options.port);
  const secrets = devVars();
  if (!options.only) await migrate(options.persistTo);
  const args = [
    'dev',
    ...(options.only?.configs ?? (await topologyConfigs(options.busShards))).flatMap((c) => ['-c', c]),
    '--port',
    String(options.port),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    options.persistTo,
    '--show-interactive-dev-session=false',
  ];
  const child = spawnTracked(process.execPath, [wrangler, ...args], {
    cwd: root,
    // The sandbox payment provider needs no key; wrangler reads declared secrets from the environment
    // (only the gateway's sit next to its config in .dev.vars), so the ones orders and payments declare come from here.
    env: {
      PAYMENT_API_KEY: 'unused-by-the-sandbox',
      PAYMENT_TOKEN_KEYS: secrets.PAYMENT_TOKEN_KEYS,
      ...process.env,
      ...offline(),
      FORCE_COLOR: '0',
    },
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    pidFile,
  });
  let log = '';
  child.stdout?.on('data', (d) => (log = (log + d).slice(-20_000)));
  child.stderr?.on('data', (d) => (log = (log + d).slice(-20_000)));
  const url = `http://127.0.0.1:${options.port}`;
  const stop = () => stopGroup(child.pid!);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    // Taken between our check and wrangler's bind: wrangler would otherwise keep waiting.
    if (/EADDRINUSE|address already in use/i.test(log)) {
      await stop();
      await assertPortFree(options.port);
      throw new Error(`wrangler dev could not listen on port ${options.port}:\n${log}`);
    }
    try {
      const response = await fetch(`${url}${options.only?.readyPath ?? '/v1/products?limit=1'}`);
      if (response.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, process: child, stop };
}

/** Adds the demo products that are missing; existing ones (and their stock) are left alone. */
export async function seedCatalog(url: string, adminKey = devVars().ADMIN_API_KEY!): Promise<number> {
  let added = 0;
  for (const product of demoCatalog) {
    const existing = await fetch(`${url}/v1/products/${product.sku}`);
    if (existing.ok) continue;
    const { sku, ...body } = product;
    const response = await fetch(`${url}/v1/admin/products/${sku}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seeding ${sku} failed: ${response.status} ${await response.text()}`);
    added += 1;
  }
  return added;
}
