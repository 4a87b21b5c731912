import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../../shared/schema';
import { IdempotencyRecord } from '../../../workers/orders/idempotency';
import { OrderDO } from '../../../workers/orders/order-do';
import { makeOrderPlaced } from '../../helpers/events';
import { makeCause, makePlaceOrder, traceparent } from '../../helpers/fixtures';
import { watchSends } from '../../helpers/queues';
import { bothWays, rebuildAs, shapeOf, userTables, versionsOf } from '../../helpers/schema';

afterEach(() => vi.restoreAllMocks());

const fresh = () => env.ORDER_DO.getByName(`schema-${crypto.randomUUID()}`);

describe('Durable Object schema migrations', () => {
  it('runs only the steps an object has not run yet, so objects from any earlier deploy catch up', async () => {
    await runInDurableObject(fresh(), (_i, state) => {
      const v1 = ['CREATE TABLE things (id TEXT PRIMARY KEY)'];
      migrate(state.storage, [{ name: 'things', steps: v1 }]);
      state.storage.sql.exec("INSERT INTO things (id) VALUES ('a')");
      migrate(state.storage, [{ name: 'things', steps: v1 }]); // the next start: nothing to do
      migrate(state.storage, [
        { name: 'things', steps: [...v1, "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'"] },
      ]);
      expect(state.storage.sql.exec('SELECT id, colour FROM things').toArray()).toEqual([{ id: 'a', colour: 'red' }]);
    });
  });

  it('rolls a failing step back with the whole upgrade, and tries again next time', async () => {
    await runInDurableObject(fresh(), (_i, state) => {
      const base = ['CREATE TABLE things (id TEXT PRIMARY KEY)'];
      migrate(state.storage, [{ name: 'things', steps: base }]);
      expect(() =>
        migrate(state.storage, [{ name: 'things', steps: [...base, 'ALTER TABLE things ADD COLUMN x TEXT', 'NOT SQL AT ALL'] }]),
      ).toThrow();
      const columns = () =>
        state.storage.sql
          .exec<{ name: string }>('PRAGMA table_info(things)')
          .toArray()
          .map((c) => c.name);
      expect(columns()).toEqual(['id']);
      expect(versionsOf(state.storage.sql).things).toBe(1);
      migrate(state.storage, [{ name: 'things', steps: [...base, 'ALTER TABLE things ADD COLUMN x TEXT'] }]);
      expect(columns()).toEqual(['id', 'x']);
    });
  });

  it("makes the tables of a part an object keeping a record never ran, not the part's history", async () => {
    await runInDurableObject(fresh(), (_i, state) => {
      const { sql } = state.storage;
      const late = {
        name: 'late',
        steps: [
          'CREATE TABLE later (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE)',
          'CREATE TABLE later_by_id (id TEXT PRIMARY KEY) WITHOUT ROWID',
          'INSERT INTO later_by_id (id) SELECT id FROM later',
          'DROP TABLE later',
          'ALTER TABLE later_by_id RENAME TO later',
        ],
        tables: ['CREATE TABLE later (id TEXT PRIMARY KEY) WITHOUT ROWID'],
      };
      migrate(state.storage, [late]);
      expect(shapeOf(sql).later).toEqual(['create table later(id text primary key)without rowid']);
      // No AUTOINCREMENT was ever made, so SQLite keeps no sequence table for it.
      expect(sql.exec("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_sequence'").one().n).toBe(0);
      expect(versionsOf(sql).late).toBe(5);
    });
  });

  it('records what every part has run in one row for the whole object, written only when something changed', async () => {
    await runInDurableObject(fresh(), (instance: OrderDO, state) => {
      const { sql } = state.storage;
      expect(versionsOf(sql)).toEqual({ events: 1, outbox: 5, inbox: 5 });
      const parts = [
        { name: 'a', steps: ['CREATE TABLE a_things (id TEXT)'] },
        { name: 'b', steps: ['CREATE TABLE b_things (id TEXT)'] },
      ];
      migrate(state.storage, parts);
      expect(versionsOf(sql)).toEqual({ events: 1, outbox: 5, inbox: 5, a: 1, b: 1 });
      expect(sql.exec('SELECT count(*) AS n FROM _schema_versions').one().n).toBe(1);
      const written = instance.rowsWritten.byTable();
      migrate(state.storage, parts);
      expect(instance.rowsWritten.byTable()).toEqual(written);
    });
  });

  it('makes a new object with one row of record and no history: nine rows written in all (its idempotency record waits for a key)', async () => {
    const stub = fresh();
    const written = await runInDurableObject(stub, (instance: OrderDO) => instance.rowsWritten.byTable());
    expect(written).toEqual({
      _schema_versions: 1,
      '_schema_versions (schema)': 2,
      'events (schema)': 2,
      'inbox (schema)': 2,
      'outbox (schema)': 2,
    });
  });

  it('makes the idempotency table by its one step, without the record: so the part keeps one step, IF NOT EXISTS, no tables list', async () => {
    expect(IdempotencyRecord.schema.steps).toHaveLength(1);
    expect(IdempotencyRecord.schema.tables).toBeUndefined();
    expect(String(IdempotencyRecord.schema.steps[0])).toMatch(/^CREATE TABLE IF NOT EXISTS idempotency /);
    const command = makePlaceOrder();
    const stub = env.ORDER_DO.getByName(command.data.id);
    await stub.place(command, traceparent, { fingerprint: 'f' });
    await runInDurableObject(stub, (_i, state) =>
      expect(versionsOf(state.storage.sql)).toEqual({ events: 1, outbox: 5, inbox: 5 }),
    );
    // A later instance asked with the key again answers the first answer, and records the part then.
    await evictDurableObject(stub);
    expect(await stub.place(command, traceparent, { fingerprint: 'f' })).toMatchObject({ ok: true, value: { replayed: true } });
    await runInDurableObject(stub, (_i, state) =>
      expect(versionsOf(state.storage.sql)).toEqual({ events: 1, outbox: 5, inbox: 5, idempotency: 1 }),
    );
  });

  it.each([
    ['OrderDO', OrderDO.schema],
    ['OrderDO asked with an Idempotency-Key', [...OrderDO.schema, IdempotencyRecord.schema]],
  ])("makes a new %s's tables at once, as the steps since the first deploy arrive at them", async (_name, parts) => {
    await runInDurableObject(fresh(), (_i, state) => {
      const { made, replayed } = bothWays(state.storage, parts);
      expect(made).toEqual(replayed);
    });
  });
});

/** The tables of an OrderDO as the deploy before this one made them: per-part record, sent events kept. */
const previousDeploy = [
  'CREATE TABLE _schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)',
  "INSERT INTO _schema (component, version) VALUES ('events', 1), ('outbox', 1), ('inbox', 1), ('idempotency', 1)",
  'CREATE TABLE events (version INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)',
  `CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    body TEXT NOT NULL, staged_at INTEGER NOT NULL, sent_at INTEGER)`,
  'CREATE TABLE inbox (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL)',
  `CREATE TABLE idempotency (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT NOT NULL,
    started_at INTEGER NOT NULL, status INTEGER, body TEXT)`,
];

describe('an OrderDO made by the previous deploy', () => {
  it('keeps its order, sends what it had not sent, forgets what it had, still drops a repeat, and drops the old record', async () => {
    const command = makePlaceOrder();
    const stub = env.ORDER_DO.getByName(command.data.id);
    await stub.place(command, traceparent);
    const heard = makeCause();
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, heard);
    const before = await stub.read();
    const unsent = makeOrderPlaced({ id: crypto.randomUUID() });
    const sent = makeOrderPlaced({ id: crypto.randomUUID() });
    await runInDurableObject(stub, async (_i, state) => {
      const { sql } = state.storage;
      const stream = sql.exec<{ version: number; type: string; data: string }>('SELECT * FROM events').toArray();
      await state.storage.deleteAlarm();
      rebuildAs(sql, previousDeploy);
      for (const e of stream) sql.exec('INSERT INTO events (version, type, data) VALUES (?, ?, ?)', e.version, e.type, e.data);
      sql.exec("INSERT INTO inbox (event_id, processed_at) VALUES (?, '2026-11-01T00:00:00.000Z')", heard.id);
      const stage = 'INSERT INTO outbox (id, type, body, staged_at, sent_at) VALUES (?, ?, ?, ?, ?)';
      sql.exec(stage, sent.id, sent.type, JSON.stringify(sent), Date.now(), Date.now());
      sql.exec(stage, unsent.id, unsent.type, JSON.stringify(unsent), Date.now(), null);
    });
    await evictDurableObject(stub);

    expect(await stub.read()).toEqual(before);
    await runInDurableObject(stub, (_i, state) => {
      const { sql } = state.storage;
      expect(userTables(sql)).not.toContain('_schema');
      expect(versionsOf(sql)).toEqual({ events: 1, outbox: 5, inbox: 5, idempotency: 1 });
      expect(sql.exec('SELECT id FROM outbox').toArray()).toEqual([{ id: unsent.id }]);
      expect(sql.exec('SELECT event_id FROM inbox').toArray()).toEqual([{ event_id: heard.id }]);
    });
    const bus = watchSends(env.BUS);
    await stub.handle({ type: 'Observe', fact: 'inventory.reserved' }, heard);
    expect(await stub.read()).toEqual(before);
    await runInDurableObject(stub, (_i, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(stub);
    expect(bus.events().map((e) => e.id)).toContain(unsent.id);
    await runInDurableObject(stub, (_i, state) => {
      expect(state.storage.sql.exec('SELECT id FROM outbox').toArray()).toEqual([]);
    });

    // Migrated, it has the tables a new object has once asked with a key.
    const made = await runInDurableObject(fresh(), (_i, state) => {
      migrate(state.storage, [...OrderDO.schema, IdempotencyRecord.schema]);
      return shapeOf(state.storage.sql);
    });
    expect(await runInDurableObject(stub, (_i, state) => shapeOf(state.storage.sql))).toEqual(made);
  });

  it('replays every step when it was made before migrations were recorded at all', async () => {
    const stub = fresh();
    await runInDurableObject(stub, (_i, state) => rebuildAs(state.storage.sql, previousDeploy.slice(2)));
    await evictDurableObject(stub);
    await runInDurableObject(stub, (_i, state) =>
      expect(versionsOf(state.storage.sql)).toEqual({ events: 1, outbox: 5, inbox: 5 }),
    );
    // Its idempotency table, made before the part was recorded, is taken as made by the first key.
    await stub.place(makePlaceOrder(), traceparent, { fingerprint: 'f' });
    await runInDurableObject(stub, (_i, state) =>
      expect(versionsOf(state.storage.sql)).toEqual({ events: 1, outbox: 5, inbox: 5, idempotency: 1 }),
    );
  });
});
