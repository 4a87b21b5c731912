import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { archiveEvents } from '../../../shared/archive';
import type { Event } from '../../../shared/events';
import worker from '../../../workers/router';
import { list } from '../../../workers/router/dead-letters';
import { readLag } from '../../../workers/router/lag';
import { replay } from '../../../workers/router/replay';
import { inboxes } from '../../../workers/router/route';
import { RouterService } from '../../../workers/router/service';
import { makeEvent, makeOrderPlaced, message } from '../../helpers/events';
import { makeOrder } from '../../helpers/fixtures';
import { events as sentEvents, tap } from '../../helpers/queues';

const at = (s: number) => `2026-07-01T10:00:${String(s).padStart(2, '0')}.000Z`;

async function deliver(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((b, i) => message(b, { id: `m${i}` })),
  );
  const ctx = createExecutionContext();
  await worker.queue!(batch as never, env as never, ctx);
  return getQueueResult(batch, ctx);
}

describe('a router for every bus shard', () => {
  it('routes a batch of shard 2 as of shard 0, archives it under its shard and measures that shard’s lag', async () => {
    const placed = makeOrderPlaced();
    const result = await deliver('conveyor-bus-2', [placed]);
    expect(result.explicitAcks).toEqual(['m0']);
    const hour = `events/${placed.occurredAt.slice(0, 13).replace(/[-T]/g, '/')}/`;
    const keys = (await env.ARCHIVE.list({ prefix: hour })).objects.map((o) => o.key);
    const mine = [];
    for (const key of keys) if ((await (await env.ARCHIVE.get(key))!.text()).includes(placed.id)) mine.push(key);
    expect(mine).toEqual([expect.stringMatching(new RegExp(`^${hour}2/`))]);
    expect((await readLag(env.DB)).map((l) => l.shard)).toContain(2);
  });

  it('keeps the dead letters of a shard’s dead-letter queue under that shard, to be redriven there', async () => {
    const event = makeOrderPlaced();
    await deliver('conveyor-bus-3-dlq', [event]);
    const [entry] = (await list(env.DB, { limit: 50 })).items.filter((d) => d.eventId === event.id);
    expect(entry).toMatchObject({ queue: 'conveyor-bus-3', reason: 'retries exhausted (moved by the queue)' });
  });

  it('answers every shard’s lag for admission control', async () => {
    await env.DB.prepare('DELETE FROM bus_lag').run();
    await env.DB.prepare(
      "INSERT INTO bus_lag (shard, lag_ms, measured_at) VALUES (0, 120, '2026-07-01T10:00:00.000Z'), (1, 4500, '2026-07-01T10:00:01.000Z')",
    ).run();
    const service = new RouterService(createExecutionContext(), env);
    expect(await service.lag()).toEqual({
      ok: true,
      value: [
        { shard: 0, lagMs: 120, measuredAt: '2026-07-01T10:00:00.000Z' },
        { shard: 1, lagMs: 4500, measuredAt: '2026-07-01T10:00:01.000Z' },
      ],
    });
  });

  it('replays the events every shard archived, in the order they occurred', async () => {
    const { payment, ...order } = makeOrder();
    const other = makeOrder();
    const onShard0: Event[] = [makeEvent('order.placed', { ...order, payment }, { occurredAt: at(1) })];
    const onShard1: Event[] = [
      makeEvent('order.placed', other, { occurredAt: at(0) }),
      makeEvent('order.confirmed', { ...order, status: 'confirmed', version: 4 }, { occurredAt: at(2) }),
    ];
    await archiveEvents(env.ARCHIVE, onShard0, 0);
    await archiveEvents(env.ARCHIVE, onShard1, 1);
    const held = Object.fromEntries(Object.entries(inboxes(env)).map(([s, q]) => [s, tap(q, { hold: true })]));
    const replayed = await replay(env.ARCHIVE, held as never, { from: at(0), to: at(9), subscribers: ['query'] });
    expect(replayed.events).toBe(3);
    expect(sentEvents(held.query!).map((e) => e.id)).toEqual([onShard1[0]!.id, onShard0[0]!.id, onShard1[1]!.id]);
  });
});
