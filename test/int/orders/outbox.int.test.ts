import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../../shared/outbox';
import { makeOrderPlaced } from '../../helpers/events';
import { events, tap } from '../../helpers/queues';

const fresh = () => env.ORDER_DO.getByName(crypto.randomUUID());
const held = (state: DurableObjectState) =>
  state.storage.sql.exec<{ id: string; type: string }>('SELECT id, type FROM outbox ORDER BY seq').toArray();

describe('transactional outbox', () => {
  it('keeps events whose send failed and sends them from the alarm', async () => {
    const stub = fresh();
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
    await runInDurableObject(fresh(), async (_instance, state) => {
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

describe('outbox rows', () => {
  it('forgets an event once it is sent, and keeps it while it is not', async () => {
    await runInDurableObject(fresh(), async (_instance, state) => {
      const down = tap(env.BUS, { fail: true });
      const event = makeOrderPlaced();
      state.storage.transactionSync(() => new Outbox(state.storage, down).add([event]));
      await new Outbox(state.storage, down).sendNow();
      expect(held(state)).toEqual([{ id: event.id, type: 'order.placed' }]);
      const bus = tap(env.BUS, { hold: true });
      await new Outbox(state.storage, bus).sendNow();
      expect(events(bus).map((e) => e.id)).toEqual([event.id]);
      expect(held(state)).toEqual([]);
    });
  });

  it('stages an event waiting to be sent once, however often it is added', async () => {
    await runInDurableObject(fresh(), async (_instance, state) => {
      const outbox = new Outbox(state.storage, env.BUS);
      const event = makeOrderPlaced();
      state.storage.transactionSync(() => outbox.add([event]));
      state.storage.transactionSync(() => outbox.add([event]));
      expect(held(state)).toEqual([{ id: event.id, type: 'order.placed' }]);
    });
  });

  it('sends an event announced again after it was sent, under the same id', async () => {
    await runInDurableObject(fresh(), async (_instance, state) => {
      const bus = tap(env.BUS, { hold: true });
      const outbox = new Outbox(state.storage, bus);
      const event = makeOrderPlaced();
      state.storage.transactionSync(() => outbox.add([event]));
      await outbox.sendNow();
      const rebuilt = { ...event, occurredAt: new Date(Date.now() + 1000).toISOString() };
      state.storage.transactionSync(() => outbox.announce([rebuilt]));
      await outbox.sendNow();
      expect(events(bus).map((e) => [e.id, e.occurredAt])).toEqual([
        [event.id, event.occurredAt],
        [event.id, rebuilt.occurredAt],
      ]);
      expect(held(state)).toEqual([]);
    });
  });

  it('sends an event again when it is announced again while its send is under way', async () => {
    await runInDurableObject(fresh(), async (_instance, state) => {
      let release = () => {};
      const bus = tap(env.BUS, { hold: true, until: new Promise<void>((r) => (release = r)) });
      const outbox = new Outbox(state.storage, bus);
      const event = makeOrderPlaced();
      state.storage.transactionSync(() => outbox.add([event]));
      const sending = outbox.sendNow();
      // The first send may be lost after it left: announcing again must not be undone when it ends.
      state.storage.transactionSync(() => outbox.announce([event]));
      release();
      await sending;
      expect(events(bus).map((e) => e.id)).toEqual([event.id, event.id]);
      expect(held(state)).toEqual([]);
    });
  });
});
