import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker, { QueryService } from '../../../workers/query';
import { makeOrderPlaced, message } from '../../helpers/events';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the read side fails closed', () => {
  it('refuses an unbounded consistency wait: 503 misconfigured over HTTP and RPC, no event projected, one log line', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = { ...env, CONSISTENCY_WAIT_MS: '600000' };
    const ctx = createExecutionContext();
    expect((await worker.fetch(new Request('https://query.test/health'), broken, ctx)).status).toBe(503);
    const service = new QueryService(ctx, broken);
    expect(await service.hasOrder(crypto.randomUUID(), 'cust_1', 100)).toMatchObject({
      ok: false,
      error: { code: 'misconfigured' },
    });
    const batch = createMessageBatch('conveyor-query-inbox', [message(makeOrderPlaced())]);
    await worker.queue(batch, broken);
    expect((await getQueueResult(batch, ctx)).retryBatch.retry).toBe(true);
    const lines = log.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('query is misconfigured'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('CONSISTENCY_WAIT_MS');
  });
});
