import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { createTestHarness } from 'wrangler';
import { configs, devVars, root } from '../../scripts/local.ts';
import { readWorkerConfigs, resourcesOf } from '../../scripts/resources.ts';
import { SYSTEM_VARS as vars } from './vars';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    jwtSecret: string;
    adminKey: string;
    /** A scoped operator key (ADMIN_KEYS, read+operate+webhooks), as production operators hold. */
    operatorKey: string;
    carrierSecret: string;
    /** Where the topology keeps its local state (Durable Objects' SQLite files among it). */
    /** Answers `?worker=<name>&class=<Durable Object class>` with the ids of the objects that have storage. */
    storageProbe: string;
    /**
     * `POST {needles, objects}` answers where any needle is found, as text, in what the topology
     * stores: every archive object (R2), every row of every D1 database, and the Durable Objects
     * named in `objects` ({worker, className, name}). See {@link StoredHit}.
     */
    dataProbe: string;
  }
}

/** A needle found in a store: which needle, and where (`r2:<key>`, `d1:<worker>.<table>`, `do:<class>/<name>.<table>`). */
export interface StoredHit {
  needle: string;
  where: string;
}

/**
 * Every Worker from its own wrangler.toml, in one local runtime with real queues between them
 * (wrangler's test harness, as `wrangler dev` runs them), on fresh storage.
 */
export default async function setup(project: TestProject) {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  // Every queue delivery would be logged otherwise; failures still are.
  process.env.WRANGLER_LOG ??= 'warn';
  const operatorKey = `cvk_${crypto.randomUUID().replaceAll('-', '')}`;
  const operator = { ADMIN_KEYS: `ops:read+operate+webhooks:${createHash('sha256').update(operatorKey).digest('hex')}` };
  const local = devVars();
  // Declared in the services' own configs, whose folders have no .dev.vars: from the root one.
  const secretsOf: Record<string, Record<string, string>> = {
    // PAYMENT_API_KEY is declared by payments and unused by its sandbox provider.
    'workers/payments/wrangler.toml': { PAYMENT_API_KEY: 'unused-by-the-sandbox', PAYMENT_TOKEN_KEYS: local.PAYMENT_TOKEN_KEYS! },
    'workers/orders/wrangler.toml': { PAYMENT_TOKEN_KEYS: local.PAYMENT_TOKEN_KEYS! },
  };
  const harness = createTestHarness({
    root,
    workers: configs.map((configPath) => ({
      configPath,
      ...((vars[configPath] || configPath === 'wrangler.toml') && {
        vars: { ...vars[configPath], ...(configPath === 'wrangler.toml' && operator) },
      }),
      ...(secretsOf[configPath] && { secrets: secretsOf[configPath] }),
    })),
  });
  const { url } = await harness.listen();
  const workers = readWorkerConfigs(root, configs);
  for (const db of resourcesOf(workers).databases) {
    await harness.getWorker(workers.find((w) => w.path === db.config)!.config.name).applyD1Migrations(db.binding);
  }
  const secrets = local;
  project.provide('gatewayUrl', url.href.replace(/\/$/, ''));
  project.provide('jwtSecret', secrets.JWT_SECRET!);
  project.provide('adminKey', secrets.ADMIN_API_KEY!);
  project.provide('operatorKey', operatorKey);
  project.provide('carrierSecret', secrets.CARRIER_WEBHOOK_SECRET!);
  // Tests ask which Durable Objects have storage (none may be created by a refused request) here.
  const probe = createServer(async (request, response) => {
    const query = new URL(request.url ?? '/', 'http://probe').searchParams;
    const worker = workers.find((w) => w.config.name === query.get('worker'));
    const ids = worker ? await harness.getWorker(worker.config.name).listDurableObjectIds(query.get('class') ?? '') : [];
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(ids));
  });
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  project.provide('storageProbe', `http://127.0.0.1:${(probe.address() as AddressInfo).port}`);
  const dataProbe = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const { needles, objects = [] } = JSON.parse(body) as { needles: string[]; objects?: StoredObject[] };
    try {
      const hits = await searchStores(harness, workers, needles, objects);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(hits));
    } catch (error) {
      response.statusCode = 500;
      response.end(String(error));
    }
  });
  await new Promise<void>((resolve) => dataProbe.listen(0, '127.0.0.1', resolve));
  project.provide('dataProbe', `http://127.0.0.1:${(dataProbe.address() as AddressInfo).port}`);
  return async () => {
    probe.close();
    dataProbe.close();
    await harness.close();
  };
}

/** A Durable Object to search, by its Worker, class and name. */
interface StoredObject {
  worker: string;
  className: string;
  name: string;
}

/** Where the needles are found, as text, in the archive, every D1 database and the given Durable Objects. */
async function searchStores(
  harness: ReturnType<typeof createTestHarness>,
  workers: ReturnType<typeof readWorkerConfigs>,
  needles: string[],
  objects: StoredObject[],
): Promise<StoredHit[]> {
  const hits: StoredHit[] = [];
  const look = (where: string, text: string) => {
    for (const needle of needles) if (text.includes(needle)) hits.push({ needle, where });
  };
  const router = (await harness.getWorker('conveyor-router').getEnv()) as { ARCHIVE: R2Bucket };
  let cursor: string | undefined;
  do {
    const page = await router.ARCHIVE.list({ cursor });
    for (const object of page.objects) look(`r2:${object.key}`, (await (await router.ARCHIVE.get(object.key))?.text()) ?? '');
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  for (const db of resourcesOf(workers).databases) {
    const worker = workers.find((w) => w.path === db.config)!.config.name!;
    const d1 = ((await harness.getWorker(worker).getEnv()) as Record<string, D1Database>)[db.binding]!;
    const { results: tables } = await d1
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'")
      .all<{ name: string }>();
    for (const { name } of tables) {
      const { results } = await d1.prepare(`SELECT * FROM "${name}"`).all();
      look(`d1:${worker}.${name}`, JSON.stringify(results));
    }
  }
  for (const { worker, className, name } of objects) {
    const storage = await harness.getWorker(worker).getDurableObjectStorage(className, { name });
    const tables = await storage.exec<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    );
    for (const table of tables)
      look(`do:${className}/${name}.${table.name}`, JSON.stringify(await storage.exec(`SELECT * FROM "${table.name}"`)));
  }
  return hits;
}
