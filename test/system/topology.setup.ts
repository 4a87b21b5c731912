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
    carrierSecret: string;
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
  const harness = createTestHarness({
    root,
    workers: configs.map((configPath) => ({
      configPath,
      ...(vars[configPath] && { vars: vars[configPath] }),
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
  project.provide('carrierSecret', secrets.CARRIER_WEBHOOK_SECRET!);
  return () => harness.close();
}
