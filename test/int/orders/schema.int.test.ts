import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../shared/schema';

const fresh = () => env.ORDER_DO.getByName(`schema-${crypto.randomUUID()}`);

describe('Durable Object schema migrations', () => {
  it('runs only the steps an object has not run yet, so objects from any earlier deploy catch up', async () => {
    await runInDurableObject(fresh(), (_i, state) => {
      const v1 = ['CREATE TABLE things (id TEXT PRIMARY KEY)'];
      migrate(state.storage, 'things', v1);
      state.storage.sql.exec("INSERT INTO things (id) VALUES ('a')");
      migrate(state.storage, 'things', v1); // the next start: nothing to do
      migrate(state.storage, 'things', [...v1, "ALTER TABLE things ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'"]);
      expect(state.storage.sql.exec('SELECT id, colour FROM things').toArray()).toEqual([{ id: 'a', colour: 'red' }]);
    });
  });

  it('rolls a failing step back with the whole upgrade, and tries again next time', async () => {
    await runInDurableObject(fresh(), (_i, state) => {
      const base = ['CREATE TABLE things (id TEXT PRIMARY KEY)'];
      migrate(state.storage, 'things', base);
      expect(() =>
        migrate(state.storage, 'things', [...base, 'ALTER TABLE things ADD COLUMN x TEXT', 'NOT SQL AT ALL']),
      ).toThrow();
      const columns = state.storage.sql
        .exec<{ name: string }>('PRAGMA table_info(things)')
        .toArray()
        .map((c) => c.name);
      expect(columns).toEqual(['id']);
      migrate(state.storage, 'things', [...base, 'ALTER TABLE things ADD COLUMN x TEXT']);
      expect(
        state.storage.sql
          .exec<{ name: string }>('PRAGMA table_info(things)')
          .toArray()
          .map((c) => c.name),
      ).toEqual(['id', 'x']);
    });
  });

  it('keeps components apart', async () => {
    await runInDurableObject(fresh(), (_i, state) => {
      migrate(state.storage, 'a', ['CREATE TABLE a_things (id TEXT)']);
      migrate(state.storage, 'b', ['CREATE TABLE b_things (id TEXT)']);
      expect(
        state.storage.sql
          .exec("SELECT component, version FROM _schema WHERE component IN ('a', 'b') ORDER BY component")
          .toArray(),
      ).toEqual([
        { component: 'a', version: 1 },
        { component: 'b', version: 1 },
      ]);
    });
  });
});
