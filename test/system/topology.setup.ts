import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { devVars, startTopology } from '../../scripts/local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    jwtSecret: string;
    adminKey: string;
    carrierSecret: string;
    /** Where the topology keeps its local state (Durable Objects' SQLite files among it). */
    persistTo: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Boots every Worker from its own wrangler.toml in one `wrangler dev`, on fresh local state. */
export default async function setup(project: TestProject) {
  const persistTo = mkdtempSync(join(tmpdir(), 'conveyor-system-'));
  // Short clocks: the saga times out after 3 s, asked again once, then cancelled.
  const topology = await startTopology({
    port: await freePort(),
    persistTo,
    quiet: true,
    vars: {
      // Development identity, whatever an older .dev.vars says (wrangler.toml's default is production's jwks).
      'wrangler.toml': { AUTH_MODE: 'local' },
      'workers/orders/wrangler.toml': { SAGA_TIMEOUT_SECONDS: '3', SAGA_MAX_NUDGES: '1' },
      // A webhook delivery is dead-lettered after 2 attempts, so the dead-letter console can be shown in seconds.
      // Receivers in these tests run on this machine, which production never allows.
      'workers/notifications/wrangler.toml': { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    },
  });
  const vars = devVars();
  project.provide('gatewayUrl', topology.url);
  project.provide('jwtSecret', vars.JWT_SECRET!);
  project.provide('adminKey', vars.ADMIN_API_KEY!);
  project.provide('carrierSecret', vars.CARRIER_WEBHOOK_SECRET!);
  project.provide('persistTo', persistTo);
  return async () => {
    await topology.stop();
    rmSync(persistTo, { recursive: true, force: true });
  };
}
