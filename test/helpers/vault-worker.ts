import { createRequire } from 'node:module';
import { join } from 'node:path';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

/**
 * The vault (workers/vault) as an auxiliary Worker of another Worker's integration tests, so the
 * `VAULT` service binding in that Worker's wrangler.toml reaches the real vault: its own code,
 * bundled with the esbuild wrangler itself bundles with, and the bindings of its own wrangler.toml
 * (the KeyDO, the bus, its vars).
 */
export async function vaultWorker(root: string) {
  const configPath = join(root, 'workers/vault/wrangler.toml');
  const outfile = join(root, '.wrangler/test/vault/index.js');
  const esbuild = createRequire(createRequire(import.meta.url).resolve('wrangler'))('esbuild') as typeof import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'workers/vault/index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2023',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
  });
  const { workerOptions } = unstable_getMiniflareWorkerOptions(configPath);
  return {
    name: 'conveyor-vault',
    modules: true,
    scriptPath: outfile,
    compatibilityDate: workerOptions.compatibilityDate,
    bindings: workerOptions.bindings,
    durableObjects: workerOptions.durableObjects,
    queueProducers: workerOptions.queueProducers,
  };
}
