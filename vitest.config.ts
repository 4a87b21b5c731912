import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { devVars, root } from './scripts/local.ts';
import { stubIdentityProvider } from './test/helpers/identity-provider.ts';
import { vaultWorker } from './test/helpers/vault-worker.ts';

// Workers read their local secrets from .dev.vars; make it from the example on a fresh clone.
const secrets = devVars();

/** One project per Worker: its tests run inside workerd against its own wrangler.toml. */
async function workerProject(
  name: string,
  configPath: string,
  options: { migrations?: string; vars?: Record<string, string>; miniflare?: object } = {},
): Promise<TestProjectInlineConfiguration> {
  const migrations = options.migrations ? await readD1Migrations(options.migrations) : [];
  const bindings = {
    ...options.vars,
    ...(options.migrations && { TEST_MIGRATIONS: migrations.map(({ name, queries }) => ({ name, queries })) }),
  };
  return {
    plugins: [cloudflareTest({ wrangler: { configPath }, miniflare: { bindings, ...options.miniflare } })],
    test: {
      name: `int:${name}`,
      include: [`test/int/${name}/**/*.int.test.ts`],
      setupFiles: options.migrations ? ['test/int/apply-migrations.ts'] : [],
    },
  };
}

const unreachable = () => new Response('not reachable at this test level', { status: 503 });

/**
 * A Worker alone has no router to write metrics to: its meter writes to Analytics Engine only
 * (which keeps nothing locally); the router's own tests cover the store.
 */
const metricsElsewhere = {
  vars: { METRICS_STORE: 'analytics-engine' },
  miniflare: { serviceBindings: { METRICS: unreachable } },
};

/** Short clocks, so timeouts and expiries can be tested in seconds; secrets the Workers declare, from .dev.vars. */
const testVars: Record<string, Record<string, string>> = {
  orders: { SAGA_TIMEOUT_SECONDS: '1', SAGA_MAX_NUDGES: '1', PAYMENT_TOKEN_KEYS: secrets.PAYMENT_TOKEN_KEYS! },
  inventory: { RESERVATION_TTL_SECONDS: '1' },
  payments: { PAYMENT_TOKEN_KEYS: secrets.PAYMENT_TOKEN_KEYS! },
};

// The Workers that open or seal personal data reach the real vault, running beside them.
const vault = await vaultWorker(root);
const withVault = ['orders', 'shipping', 'notifications'];

// The gateway's tests sign customers' tokens with these keys; the gateway fetches their JWKS.
const identityProvider = await stubIdentityProvider();

/**
 * The bench's synchronous chain (scripts/bench/sync-chain), a Worker of its own: as it runs, and
 * (`-outage`) with payments down for good. Each hop pays 25 ms, so its calls can be seen not to overlap.
 */
async function syncChainProject(name: string, faults: Record<string, string>): Promise<TestProjectInlineConfiguration> {
  const migrations = async (dir: string) =>
    (await readD1Migrations(dir)).map(({ name: migration, queries }) => ({ name: migration, queries }));
  const { JWT_SECRET = '', ADMIN_API_KEY = '', PAYMENT_TOKEN_KEYS = '' } = devVars();
  const bindings = {
    JWT_SECRET,
    ADMIN_API_KEY,
    PAYMENT_TOKEN_KEYS,
    SIMULATED_LATENCY_MS: '25',
    ...faults,
    TEST_MIGRATIONS: await migrations('./workers/inventory/migrations'),
    TEST_MAIL_MIGRATIONS: await migrations('./workers/notifications/migrations'),
  };
  return {
    plugins: [cloudflareTest({ wrangler: { configPath: './scripts/bench/sync-chain/wrangler.toml' }, miniflare: { bindings } })],
    test: {
      name: `int:${name}`,
      include: [`test/int/${name}/**/*.int.test.ts`],
      setupFiles: ['test/int/sync-chain/apply-migrations.ts'],
    },
  };
}

const withDatabase = ['orders', 'inventory', 'notifications', 'query', 'router'];
const workers = ['vault', 'orders', 'inventory', 'payments', 'shipping', 'notifications', 'router', 'query'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.unit.test.ts'], environment: 'node' } },
      // The deterministic simulation of the whole flow (test/sim): every decider, no workerd.
      { test: { name: 'sim', include: ['test/sim/**/*.sim.test.ts'], environment: 'node', testTimeout: 600_000 } },
      ...(await Promise.all(
        workers.map((w) =>
          workerProject(w, `./workers/${w}/wrangler.toml`, {
            migrations: withDatabase.includes(w) ? `./workers/${w}/migrations` : undefined,
            vars: { ...testVars[w], ...(w !== 'router' && metricsElsewhere.vars) },
            miniflare: {
              ...(w !== 'router' && metricsElsewhere.miniflare),
              ...(withVault.includes(w) && { workers: [vault] }),
            },
          }),
        ),
      )),
      // The gateway alone: its own middleware (auth, validation, errors, docs). The services behind it
      // answer 503 here; calls that reach them are tested against the whole topology (system tests).
      // Local identity by default (HS256 with .dev.vars' JWT_SECRET); tests of the production identity
      // switch to AUTH_MODE=jwks against the stub provider, reached through the outbound fetch.
      await workerProject('gateway', './wrangler.toml', {
        vars: {
          AUTH_MODE: 'local',
          TEST_IDENTITY_KEYS: JSON.stringify({ ...identityProvider.keys, HS256: identityProvider.shared }),
          ...metricsElsewhere.vars,
        },
        miniflare: {
          serviceBindings: Object.fromEntries(
            ['ORDERS', 'INVENTORY', 'QUERY', 'SHIPPING', 'NOTIFICATIONS', 'ROUTER', 'VAULT', 'METRICS'].map((b) => [
              b,
              unreachable,
            ]),
          ),
          outboundService: identityProvider.outbound,
        },
      }),
      await syncChainProject('sync-chain', {}),
      await syncChainProject('sync-chain-outage', {
        SIMULATED_OUTAGE_SERVICE: 'payments',
        SIMULATED_OUTAGE: '2026-01-01T00:00:00Z/2999-01-01T00:00:00Z',
      }),
      {
        test: {
          name: 'system',
          include: ['test/system/**/*.system.test.ts'],
          environment: 'node',
          globalSetup: ['test/system/topology.setup.ts'],
          // One file at a time: the crash test runs a second topology, and both share two cores.
          fileParallelism: false,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
