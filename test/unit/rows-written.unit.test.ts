import { describe, expect, it } from 'vitest';
import { targetOf } from '../../shared/rows-written';

describe('the table a statement writes', () => {
  it('names the table of an insert, an upsert, an update and a delete', () => {
    expect(targetOf('INSERT INTO outbox (id, body) VALUES (?, ?)')).toEqual({ table: 'outbox', schema: false });
    expect(targetOf('INSERT OR IGNORE INTO outbox (id) VALUES (?)')).toEqual({ table: 'outbox', schema: false });
    expect(targetOf('\n  insert into inbox (event_id) values (?) on conflict do nothing')).toEqual({
      table: 'inbox',
      schema: false,
    });
    expect(targetOf('UPDATE payment_state SET state = ?')).toEqual({ table: 'payment_state', schema: false });
    expect(targetOf('DELETE FROM outbox WHERE id = ?')).toEqual({ table: 'outbox', schema: false });
    expect(targetOf('REPLACE INTO "events" VALUES (1)')).toEqual({ table: 'events', schema: false });
  });

  it('tells schema changes from row writes, by the table they change', () => {
    expect(targetOf('CREATE TABLE IF NOT EXISTS outbox (id TEXT PRIMARY KEY)')).toEqual({ table: 'outbox', schema: true });
    expect(targetOf('CREATE INDEX IF NOT EXISTS by_expiry ON reservations (status)')).toEqual({
      table: 'reservations',
      schema: true,
    });
    expect(targetOf('ALTER TABLE shipment ADD COLUMN exception TEXT')).toEqual({ table: 'shipment', schema: true });
    expect(targetOf('DROP TABLE _schema')).toEqual({ table: '_schema', schema: true });
    expect(targetOf('SELECT * FROM outbox')).toEqual({ table: '(other)', schema: false });
  });
});
