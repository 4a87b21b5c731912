import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker, { NotificationsService } from '../../../workers/notifications';
import { makeEvent, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('notifications fails closed', () => {
  const broken = { ...env, WEBHOOK_MAX_ATTEMPTS: 'many' };

  it('logs why, answers 503 misconfigured over HTTP and RPC, and handles no message', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const ctx = createExecutionContext();
    const health = await worker.fetch(new Request('https://notifications.test/health'), broken, ctx);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error: { code: 'misconfigured' } });

    const service = new NotificationsService(ctx, broken);
    expect(await service.listWebhooks()).toMatchObject({ ok: false, error: { code: 'misconfigured', status: 503 } });

    const { payment: _, ...order } = makeOrder({ status: 'confirmed', version: 4 });
    const batch = createMessageBatch('conveyor-notifications-inbox', [message(makeEvent('order.confirmed', order))]);
    await worker.queue(batch, broken);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry).toBe(true);
    expect(result.explicitAcks).toEqual([]);

    const lines = log.mock.calls.map((args) => String(args[0])).filter((l) => l.includes('notifications is misconfigured'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('WEBHOOK_MAX_ATTEMPTS must be a number');
  });

  it('serves with its configuration as deployed', async () => {
    const health = await worker.fetch(new Request('https://notifications.test/health'), env, createExecutionContext());
    expect(health.status).toBe(200);
  });
});
