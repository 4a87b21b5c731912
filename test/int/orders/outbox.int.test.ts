import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../../shared/outbox';
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
    expect(await runDurableObjectAlarm(stub)).toBe(true);
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
