import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../../workers/vault';
import { VaultService } from '../../../workers/vault/service';
import { address } from '../../helpers/fixtures';

describe('vault fails closed', () => {
  it('refuses to serve, seal or open without a sane PLACING_GRACE_SECONDS, naming it in one log line', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const broken = { ...env, PLACING_GRACE_SECONDS: '0' };
      const ctx = createExecutionContext();
      const health = await worker.fetch!(new Request('https://vault.test/health') as never, broken as never, ctx);
      expect(health.status).toBe(503);
      const service = new VaultService(ctx, broken);
      const seal = await service.seal('cust_1', crypto.randomUUID(), { shippingAddress: JSON.stringify(address) });
      expect(seal).toMatchObject({ ok: false, error: { code: 'misconfigured', status: 503 } });
      const lines = log.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('vault is misconfigured'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('PLACING_GRACE_SECONDS');
    } finally {
      log.mockRestore();
    }
  });
});
