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
  }
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
  const harness = createTestHarness({
    root,
    workers: configs.map((configPath) => ({
      configPath,
      ...((vars[configPath] || configPath === 'wrangler.toml') && {
        vars: { ...vars[configPath], ...(configPath === 'wrangler.toml' && operator) },
      }),
      // Declared by payments, unused by its sandbox provider.
      ...(configPath === 'workers/payments/wrangler.toml' && { secrets: { PAYMENT_API_KEY: 'unused-by-the-sandbox' } }),
    })),
  });
  const { url } = await harness.listen();
  const workers = readWorkerConfigs(root, configs);
  for (const db of resourcesOf(workers).databases) {
    await harness.getWorker(workers.find((w) => w.path === db.config)!.config.name).applyD1Migrations(db.binding);
  }
  const secrets = devVars();
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
  return async () => {
    probe.close();
    await harness.close();
  };
}
