import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../../scripts/bench/sync-chain';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the synchronous chain checks its faults like every service', () => {
  it.each([
    [{ SIMULATED_OUTAGE_SERVICE: 'payments' }, 'SIMULATED_OUTAGE_SERVICE and SIMULATED_OUTAGE are set together or not at all'],
    [
      { SIMULATED_OUTAGE_SERVICE: 'billing', SIMULATED_OUTAGE: '2026-01-01T00:00:00Z/2999-01-01T00:00:00Z' },
      'SIMULATED_OUTAGE_SERVICE must be one of inventory, payments, shipping, notifications',
    ],
    [{ SIMULATED_LATENCY_MS: 'slow' }, 'SIMULATED_LATENCY_MS must be a number of milliseconds'],
  ])('refuses to serve with %j: 503 misconfigured, the problem in the log', async (vars, problem) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await worker.fetch(
      new Request('https://chain/v1/orders', { method: 'POST', body: '{}' }),
      { ...env, ...vars },
      createExecutionContext(),
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'misconfigured' } });
    const lines = log.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('sync-chain is misconfigured'));
    expect(lines.join('\n')).toContain(problem);
  });
});
