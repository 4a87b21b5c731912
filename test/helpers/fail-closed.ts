import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { expect, vi } from 'vitest';
import { makeOrderPlaced, message } from './events';

/**
 * Checks that a Worker with `broken` settings refuses to serve: `/health` answers 503
 * `misconfigured`, a queue batch is retried (not handled, not lost), and one log line names the
 * setting (never its value).
 */
export async function expectFailsClosed(
  service: string,
  worker: ExportedHandler<never>,
  broken: object,
  queue: string,
  setting: string,
): Promise<void> {
  const log = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const ctx = createExecutionContext();
    const health = await worker.fetch!(new Request(`https://${service}.test/health`) as never, broken as never, ctx);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error: { code: 'misconfigured' } });
    const batch = createMessageBatch(queue, [message(makeOrderPlaced())]);
    await worker.queue!(batch as never, broken as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryBatch.retry).toBe(true);
    const lines = log.mock.calls.map((args) => String(args[0])).filter((l) => l.includes(`${service} is misconfigured`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(setting);
  } finally {
    log.mockRestore();
  }
}
