import { DurableObject } from 'cloudflare:workers';
import { bus } from '../../shared/bus';
import { AppError, DomainError, type Reply, reply } from '../../shared/errors';
import type { OrderStatus } from '../../shared/events';
import { factId } from '../../shared/ids';
import { Meter } from '../../shared/metrics';
import { armAlarm, Outbox } from '../../shared/outbox';
import type { CustomerKeys, Erasure, Opened } from '../../shared/personal-data';
import { newEvent } from '../../shared/publish';
import { countRowsWritten, RowsWritten } from '../../shared/rows-written';
import { hasTable, migrate, type SchemaPart } from '../../shared/schema';
import { importKey, type Sealed, seal, Unreadable, unseal } from '../../shared/sealed';
import { openOrdersMessage, stillNeeded } from './erasure';

const SOURCE = 'vault';

/** What every customer with a key has: the key, and the orders sealed with it. */
export const VAULT: SchemaPart = {
  name: 'vault',
  steps: [
    'CREATE TABLE keys (kid TEXT PRIMARY KEY, material BLOB NOT NULL, created_at INTEGER NOT NULL)',
    'CREATE TABLE sealed_orders (order_id TEXT PRIMARY KEY, sealed_at INTEGER NOT NULL)',
    // Made by earlier deploys with the customer's first order; now by ERASURES, when the customer is first
    // asked to be erased. So ERASURES's step says IF NOT EXISTS, and it must never get a `tables` list:
    // on an object of an earlier deploy, that list would meet the table this step made.
    'CREATE TABLE erasures (seq INTEGER PRIMARY KEY AUTOINCREMENT, erased_at INTEGER NOT NULL, kids TEXT NOT NULL, orders INTEGER NOT NULL)',
    // Keyed by the order id alone, without a rowid beside it: an order sealed is 1 row written, not 2.
    // (`keys` is not rebuilt: a copy would leave key material in the database's free pages.)
    'CREATE TABLE sealed_orders_by_id (order_id TEXT PRIMARY KEY, sealed_at INTEGER NOT NULL) WITHOUT ROWID',
    'INSERT INTO sealed_orders_by_id (order_id, sealed_at) SELECT order_id, sealed_at FROM sealed_orders',
    'DROP TABLE sealed_orders',
    'ALTER TABLE sealed_orders_by_id RENAME TO sealed_orders',
  ],
  tables: [
    'CREATE TABLE keys (kid TEXT PRIMARY KEY, material BLOB NOT NULL, created_at INTEGER NOT NULL)',
    'CREATE TABLE sealed_orders (order_id TEXT PRIMARY KEY, sealed_at INTEGER NOT NULL) WITHOUT ROWID',
  ],
};

/** What only an erased customer has: the record of each erasure, and the outbox that announces it. */
export const ERASURES: SchemaPart = {
  name: 'erasures',
  steps: [
    'CREATE TABLE IF NOT EXISTS erasures (seq INTEGER PRIMARY KEY AUTOINCREMENT, erased_at INTEGER NOT NULL, kids TEXT NOT NULL, orders INTEGER NOT NULL)',
  ],
};

/**
 * One customer's data key (AES-256-GCM), made on their first order. It never leaves this object:
 * the vault seals and opens with it here. Erasing the customer destroys it — overwritten, then
 * deleted — and announces customer.erased; whatever was sealed with it, wherever it was copied,
 * can never be opened again. A customer who orders again afterwards gets a new key.
 *
 * Its tables are made by the first seal: asking about (or erasing) a customer it never sealed for
 * leaves no storage behind, so made-up customer ids cost nothing.
 */
export class KeyDO extends DurableObject<Env> {
  private made = false;
  private outbox: Outbox | undefined;
  /** Keys imported for WebCrypto, by id; forgotten with the key. */
  private readonly imported = new Map<string, Promise<CryptoKey>>();

  /** The rows this object has written, by table (for the bench's counts and the tests). */
  readonly rowsWritten: RowsWritten;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rowsWritten = countRowsWritten(ctx, new Meter(env, 'vault', ctx), new RowsWritten('KeyDO'));
  }

  /** Seals each value (JSON text) for `orderId` with the customer's key (made now if they have none), and records the order. */
  async seal(customerId: string, orderId: string, json: Record<string, string>): Promise<Reply<Record<string, Sealed>>> {
    return reply(async () => {
      this.tables();
      // Made and recorded in this synchronous turn, so two orders placed at once share one key.
      const { kid, material } = this.currentKey();
      this.ctx.storage.sql.exec(
        'INSERT INTO sealed_orders (order_id, sealed_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
        orderId,
        Date.now(),
      );
      const key = this.cryptoKey(kid, material);
      const sealed: Record<string, Sealed> = {};
      for (const [field, text] of Object.entries(json)) {
        sealed[field] = await seal(await key, kid, parseJson(text), { customerId, orderId, field });
      }
      return sealed;
    });
  }

  /** Opens each value of `orderId`: its value, or `erased` (its key was destroyed), or `unreadable`. */
  async open(customerId: string, orderId: string, sealed: Record<string, Sealed>): Promise<Reply<Record<string, Opened>>> {
    return reply(async () => {
      const opened: Record<string, Opened> = {};
      const known = this.hasTables();
      for (const [field, value] of Object.entries(sealed)) {
        if (!known) {
          opened[field] = { gone: 'unreadable' };
          continue;
        }
        const row = this.ctx.storage.sql
          .exec<{ material: ArrayBuffer }>('SELECT material FROM keys WHERE kid = ?', value.kid)
          .toArray()[0];
        if (!row) {
          opened[field] = { gone: this.wasErased(value.kid) ? 'erased' : 'unreadable' };
          continue;
        }
        try {
          const key = await this.cryptoKey(value.kid, new Uint8Array(row.material));
          opened[field] = { json: JSON.stringify(await unseal(key, value, { customerId, orderId, field })) };
        } catch (error) {
          if (!(error instanceof Unreadable)) throw error;
          opened[field] = { gone: 'unreadable' };
        }
      }
      return opened;
    });
  }

  /** The orders sealed with the customer's key, and when the customer was last erased. */
  async customerKeys(): Promise<CustomerKeys> {
    if (!this.hasTables()) return { orders: [], erasedAt: null };
    const orders = this.sealedOrders().map((o) => ({ orderId: o.orderId, sealedAt: new Date(o.sealedAt).toISOString() }));
    const last = this.lastErasure();
    return { orders, erasedAt: last ? new Date(last.erased_at).toISOString() : null };
  }

  /**
   * Erases the customer: destroys their key, forgets their orders and stages customer.erased, in
   * one transaction; refused while an order still needs its address, judged from `statuses` (read
   * from the orders' own Durable Objects just before). Erasing again answers the last erasure.
   */
  async erase(
    customerId: string,
    statuses: Record<string, OrderStatus | null>,
    graceMs: number,
    traceparent?: string,
  ): Promise<Reply<Erasure>> {
    return reply(async () => {
      if (!this.hasTables())
        throw new DomainError('customer_not_found', `no personal data of customer ${customerId} was ever sealed`);
      const outbox = this.erasureTables();
      const erasure = this.ctx.storage.transactionSync((): Erasure => {
        const now = Date.now();
        const sealed = this.sealedOrders();
        const kids = this.ctx.storage.sql.exec<{ kid: string }>('SELECT kid FROM keys').toArray();
        const last = this.lastErasure();
        if (kids.length === 0 && sealed.length === 0) {
          if (last) return { customerId, erasedAt: new Date(last.erased_at).toISOString(), orders: last.orders };
          throw new DomainError('customer_not_found', `no personal data of customer ${customerId} was ever sealed`);
        }
        const open = stillNeeded(sealed, statuses, now, graceMs);
        if (open.length > 0) throw new DomainError('customer_has_open_orders', openOrdersMessage(customerId, open));
        // Overwritten before it is deleted, so the key's bytes do not linger in the database's free pages.
        this.ctx.storage.sql.exec('UPDATE keys SET material = zeroblob(length(material))');
        this.ctx.storage.sql.exec('DELETE FROM keys');
        this.ctx.storage.sql.exec('DELETE FROM sealed_orders');
        const { seq } = this.ctx.storage.sql
          .exec<{ seq: number }>(
            'INSERT INTO erasures (erased_at, kids, orders) VALUES (?, ?, ?) RETURNING seq',
            now,
            JSON.stringify(kids.map((k) => k.kid)),
            sealed.length,
          )
          .one();
        const erasedAt = new Date(now).toISOString();
        const data = { customerId, erasedAt, orders: sealed.length };
        outbox.add([
          newEvent('customer.erased', data, {
            source: SOURCE,
            subject: customerId,
            cause: null,
            traceparent,
            id: factId(`${customerId}/customer.erased/${seq}`),
            now: new Date(now),
          }),
        ]);
        return data;
      });
      this.imported.clear();
      await outbox.sendNow();
      return erasure;
    });
  }

  override async alarm(): Promise<void> {
    // Only the outbox arms the alarm, and only an erasure makes the outbox.
    if (hasTable(this.ctx.storage.sql, 'outbox')) await armAlarm(this.ctx.storage, await this.erasureTables().onAlarm());
  }

  /** Makes (once) the tables of every customer with a key; the erasure's wait for the first request to erase. */
  private tables(): void {
    if (!this.made) migrate(this.ctx.storage, [VAULT]);
    this.made = true;
  }

  /** Makes (once) the tables an erasure writes, and answers the outbox that announces it. */
  private erasureTables(): Outbox {
    if (!this.outbox) {
      migrate(this.ctx.storage, [VAULT, ERASURES, Outbox.schema]);
      this.made = true;
      this.outbox = new Outbox(this.ctx.storage, bus(this.env));
    }
    return this.outbox;
  }

  /** Whether this customer's tables exist: whether anything was ever sealed for them. */
  private hasTables(): boolean {
    return this.made || hasTable(this.ctx.storage.sql, 'keys');
  }

  /** The key that seals: the newest, or a new one (32 random bytes) when the customer has none. */
  private currentKey(): { kid: string; material: Uint8Array<ArrayBuffer> } {
    const row = this.ctx.storage.sql
      .exec<{ kid: string; material: ArrayBuffer }>('SELECT kid, material FROM keys ORDER BY created_at DESC, kid LIMIT 1')
      .toArray()[0];
    if (row) return { kid: row.kid, material: new Uint8Array(row.material) };
    const kid = `ck_${[...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    const material = crypto.getRandomValues(new Uint8Array(32));
    this.ctx.storage.sql.exec('INSERT INTO keys (kid, material, created_at) VALUES (?, ?, ?)', kid, material, Date.now());
    return { kid, material };
  }

  private cryptoKey(kid: string, material: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
    let key = this.imported.get(kid);
    if (!key) {
      key = importKey(material);
      this.imported.set(kid, key);
    }
    return key;
  }

  private sealedOrders() {
    return this.ctx.storage.sql
      .exec<{ order_id: string; sealed_at: number }>('SELECT order_id, sealed_at FROM sealed_orders ORDER BY sealed_at')
      .toArray()
      .map((r) => ({ orderId: r.order_id, sealedAt: r.sealed_at }));
  }

  private lastErasure() {
    if (!hasTable(this.ctx.storage.sql, 'erasures')) return undefined;
    return this.ctx.storage.sql
      .exec<{ erased_at: number; orders: number }>('SELECT erased_at, orders FROM erasures ORDER BY seq DESC LIMIT 1')
      .toArray()[0];
  }

  private wasErased(kid: string): boolean {
    if (!hasTable(this.ctx.storage.sql, 'erasures')) return false;
    return (
      this.ctx.storage.sql.exec('SELECT 1 FROM erasures, json_each(erasures.kids) WHERE json_each.value = ?', kid).toArray()
        .length > 0
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError({ code: 'invalid_request', message: 'vault.seal takes each value as JSON text', status: 400 });
  }
}
