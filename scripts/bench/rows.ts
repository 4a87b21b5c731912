// Counts the rows each store of the local topology holds, from wrangler's SQLite files on disk.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const internal = /^(sqlite_|_cf_|d1_migrations$|_mf_)/;

function tablesOf(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    for (const { name } of tables) {
      if (internal.test(name)) continue;
      const { n } = db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number };
      counts.set(name, n);
    }
  } catch {
    // A file being written may be unreadable for a moment; it counts as empty.
  } finally {
    db?.close();
  }
  return counts;
}

/**
 * Rows held per store and table (`OrderDO.outbox`, `d1.orders`, …), summed over every Durable
 * Object and D1 database under `persistTo`. Rows held are a lower bound of rows written: a row
 * updated in place or deleted since is not counted again.
 */
export function rowsHeld(persistTo: string): Map<string, number> {
  const total = new Map<string, number>();
  const add = (store: string, file: string) => {
    for (const [table, n] of tablesOf(file)) total.set(`${store}.${table}`, (total.get(`${store}.${table}`) ?? 0) + n);
  };
  const doRoot = join(persistTo, 'v3', 'do');
  if (existsSync(doRoot))
    for (const dir of readdirSync(doRoot)) {
      const store = dir.replace(/^conveyor-[a-z]+-/, '');
      for (const f of readdirSync(join(doRoot, dir)))
        if (f.endsWith('.sqlite') && f !== 'metadata.sqlite') add(store, join(doRoot, dir, f));
    }
  const d1Root = join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  if (existsSync(d1Root))
    for (const f of readdirSync(d1Root)) if (f.endsWith('.sqlite') && f !== 'metadata.sqlite') add('d1', join(d1Root, f));
  return total;
}

/** One stock bucket of a SKU (workers/inventory/buckets.ts), as its InventoryDO holds it. */
export interface BucketCount {
  bucket: number;
  onHand: number;
  /** Lines it holds or sold. */
  held: number;
  /** Lines it refused for want of units (each passed on to the next bucket). */
  refused: number;
  transfersSent: number;
  transfersReceived: number;
}

/** Every bucket of `sku` under `persistTo`, read from each InventoryDO's own SQLite file. */
export function stockBuckets(persistTo: string, sku: string): BucketCount[] {
  const dir = join(persistTo, 'v3', 'do', 'conveyor-inventory-InventoryDO');
  const buckets: BucketCount[] = [];
  if (!existsSync(dir)) return buckets;
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.sqlite') || f === 'metadata.sqlite') continue;
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(join(dir, f), { readOnly: true });
      const product = db.prepare('SELECT sku, bucket, on_hand FROM product').get() as
        | { sku: string; bucket: number; on_hand: number }
        | undefined;
      if (product?.sku !== sku) continue;
      const count = (sql: string) => (db!.prepare(sql).get() as { n: number }).n;
      buckets.push({
        bucket: product.bucket,
        onHand: product.on_hand,
        held: count("SELECT count(*) AS n FROM reservations WHERE status NOT IN ('rejected', 'barred')"),
        refused: count("SELECT count(*) AS n FROM reservations WHERE status = 'rejected'"),
        transfersSent: count("SELECT count(*) AS n FROM transfers WHERE direction = 'out'"),
        transfersReceived: count("SELECT count(*) AS n FROM transfers WHERE direction = 'in'"),
      });
    } catch {
      // A file being written may be unreadable for a moment; it is left out.
    } finally {
      db?.close();
    }
  }
  return buckets.sort((a, b) => a.bucket - b.bucket);
}
