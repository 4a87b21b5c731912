import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { KEEP_SENT_MS, Outbox } from '../../../shared/outbox';
import { makeOrderPlaced } from '../../helpers/events';
import { tap } from '../../helpers/queues';

describe('transactional outbox', () => {
  it('keeps events whose send failed and sends them from the alarm', async () => {
    const stub = env.ORDER_DO.getByName(crypto.randomUUID());
    const event = makeOrderPlaced();
    const down = tap(env.BUS, { fail: true });
    const pending = await runInDurableObject(stub, async (_instance, state) => {
      const outbox = new Outbox(state.storage, down);
      state.storage.transactionSync(() => outbox.add([event]));
      await outbox.sendNow();
      expect(await state.storage.getAlarm()).not.toBeNull();
      return outbox.pending;
    });
    expect(down.calls).toBe(1);
    expect(pending).toBe(1);

    // The object's own alarm resends through the real bus.
    expect(await runDurableObjectAlarm(stub)).toBeTruthy();
    const left = await runInDurableObject(stub, (_instance, state) => new Outbox(state.storage, env.BUS).pending);
    expect(left).toBe(0);
  });

  it('refuses an invalid event, rolling back the state change it came with', async () => {
    const stub = env.ORDER_DO.getByName(crypto.randomUUID());
    await runInDurableObject(stub, async (_instance, state) => {
      const outbox = new Outbox(state.storage, env.BUS);
      state.storage.sql.exec('CREATE TABLE IF NOT EXISTS probe (n INTEGER)');
      const broken = { ...makeOrderPlaced(), data: { id: 'not-a-uuid' } };
      expect(() =>
        state.storage.transactionSync(() => {
          state.storage.sql.exec('INSERT INTO probe (n) VALUES (1)');
          outbox.add([broken as never]);
        }),
      ).toThrow();
      expect(outbox.pending).toBe(0);
      expect(state.storage.sql.exec('SELECT count(*) AS n FROM probe').one().n).toBe(0);
    });
  });
});

describe('outbox retention', () => {
  it('forgets sent events older than a week with the next write, without waiting for an alarm', async () => {
    const stub = env.ORDER_DO.getByName(crypto.randomUUID());
    const kept = await runInDurableObject(stub, async (_instance, state) => {
      const outbox = new Outbox(state.storage, env.BUS);
      const old = makeOrderPlaced();
      state.storage.transactionSync(() => outbox.add([old]));
      await outbox.sendNow();
      state.storage.sql.exec('UPDATE outbox SET sent_at = ? WHERE id = ?', Date.now() - KEEP_SENT_MS - 1, old.id);
      await state.storage.deleteAlarm();
      state.storage.transactionSync(() => outbox.add([makeOrderPlaced()]));
      return state.storage.sql
        .exec<{ id: string }>('SELECT id FROM outbox')
        .toArray()
        .map((r) => r.id);
    });
    expect(kept).toHaveLength(1);
  });
});
