import { DurableObject } from 'cloudflare:workers';
import { bus } from '../../shared/bus';
import type { DataOf, Event } from '../../shared/events';
import { factId } from '../../shared/ids';
import { Meter } from '../../shared/metrics';
import { armAlarm, Outbox } from '../../shared/outbox';
import { openPaymentToken } from '../../shared/personal-data';
import { type Cause, newEvent } from '../../shared/publish';
import { countRowsWritten, RowsWritten } from '../../shared/rows-written';
import { migrate, type SchemaPart } from '../../shared/schema';
import type { Keyring } from '../../shared/sealed';
import { paymentsConfig } from './config';
import { httpProvider } from './http-provider';
import {
  announce,
  decide,
  defaultPolicy,
  evolve,
  initialState,
  nextWake,
  type Payment,
  type PaymentMessage,
  type PaymentPolicy,
  pendingCall,
} from './payment';
import { type PaymentProvider, perform } from './provider';
import { sandbox, sqlStore } from './sandbox';

const SOURCE = 'payments';

/** Provider calls one turn makes before leaving the rest to the alarm; each call moves the payment on. */
const MAX_CALLS_PER_TURN = 8;

/** The payment's table: the decider's state, one row. */
const paymentSchema: SchemaPart = {
  name: 'payment',
  steps: [
    `CREATE TABLE IF NOT EXISTS payment (id INTEGER PRIMARY KEY CHECK (id = 1), order_id TEXT NOT NULL, status TEXT NOT NULL,
      reference TEXT, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    `CREATE TABLE payment_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, cause TEXT,
      updated_at INTEGER NOT NULL)`,
    // A payment recorded before the decider moves into its state row (unless the decider has written one), and its table goes.
    (sql) => {
      const legacy = sql.exec<LegacyRow>('SELECT * FROM payment WHERE id = 1').toArray()[0];
      if (legacy)
        sql.exec(
          'INSERT INTO payment_state (id, state, cause, updated_at) VALUES (1, ?, NULL, ?) ON CONFLICT (id) DO NOTHING',
          JSON.stringify(upcast(legacy)),
          Date.now(),
        );
      sql.exec('DROP TABLE payment');
    },
  ],
  tables: [
    `CREATE TABLE payment_state (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL, cause TEXT,
      updated_at INTEGER NOT NULL)`,
  ],
};

/** An order as payments hears of it: any order.* event's data (only order.placed carries the sealed token). */
type OrderToPay = DataOf<'order.confirmed'> & Partial<Pick<DataOf<'order.placed'>, 'payment'>>;

/**
 * The payment of one order: a thin shell around the `payment` decider. Each message is decided,
 * then the new state and the payment.* events it announces are written in one transaction with
 * the outbox; then the provider call the state asks for is made (outside the transaction, one at a
 * time per object) and its answer fed back the same way. The alarm resends the outbox and ticks the
 * decider's clock: retries with backoff, the give-up deadline. Provider trouble never fails the
 * caller, so the inbox acks order.placed instead of dead-lettering it.
 */
export class PaymentDO extends DurableObject<Env> {
  /** The object's tables: the payment's state and its outbox. */
  static readonly schema: readonly SchemaPart[] = [paymentSchema, Outbox.schema];

  private state: Payment;
  private cause: Cause | null;
  private readonly outbox: Outbox;
  private readonly provider: PaymentProvider;
  private readonly policy: PaymentPolicy;
  private readonly tokenKeys: Keyring;
  private tail: Promise<unknown> = Promise.resolve();
  /** Every row this object writes, counted as SQLite reports it. */
  readonly rowsWritten: RowsWritten;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rowsWritten = countRowsWritten(ctx, new Meter(env, 'payments', ctx), new RowsWritten('PaymentDO', ['sandbox_provider']));
    const config = paymentsConfig(env);
    this.tokenKeys = config.PAYMENT_TOKEN_KEYS;
    migrate(ctx.storage, PaymentDO.schema);
    this.outbox = new Outbox(ctx.storage, bus(env));
    this.policy = { ...defaultPolicy, giveUpAfterMs: config.PAYMENT_GIVE_UP_SECONDS * 1000 };
    this.provider =
      config.PAYMENT_PROVIDER === 'http'
        ? httpProvider({
            baseUrl: config.PAYMENT_API_URL,
            apiKey: config.PAYMENT_API_KEY ?? '',
            timeoutMs: config.PAYMENT_TIMEOUT_SECONDS * 1000,
          })
        : sandbox(sqlStore(ctx.storage.sql));
    ({ state: this.state, cause: this.cause } = this.load());
  }

  /**
   * On order.placed: opens the token orders sealed for payments (null when it cannot: the decider
   * then declines without asking the provider). The clear token lives only in this object's state,
   * and only while the authorization is under way.
   */
  async authorize(order: OrderToPay, cause: Cause): Promise<Payment> {
    const token = await openPaymentToken(this.tokenKeys, order);
    if (token === null) console.warn(JSON.stringify({ msg: 'payment token unreadable; declining', orderId: order.id }));
    return this.handle({ type: 'Authorize', ...terms(order), token, placedAt: order.placedAt }, cause);
  }

  /** On order.confirmed. */
  capture(order: OrderToPay, cause: Cause): Promise<Payment> {
    return this.handle({ type: 'Capture', ...terms(order) }, cause);
  }

  /** On order.cancelled: void an authorization, refund a capture, or remember that none may follow. */
  compensate(order: OrderToPay, cause: Cause): Promise<Payment> {
    return this.handle({ type: 'Compensate', ...terms(order) }, cause);
  }

  /** The payment as the decider sees it. */
  async read(): Promise<Payment> {
    return this.state;
  }

  override async alarm(): Promise<void> {
    await this.serialized(async () => {
      await this.outbox.onAlarm();
      await this.apply({ type: 'Tick' });
      await this.work();
      await armAlarm(this.ctx.storage, this.wakeAt());
    });
  }

  /**
   * Runs turns one after another, so the provider is asked one thing at a time. Not
   * `blockConcurrencyWhile`: a slow provider must not reset the object.
   */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private handle(message: PaymentMessage, cause: Cause): Promise<Payment> {
    return this.serialized(async () => {
      await this.apply(message, { id: cause.id, correlationId: cause.correlationId, traceparent: cause.traceparent });
      await this.work();
      return this.state;
    });
  }

  /** Makes the calls the state asks for, feeding each answer back, until it asks for none now. */
  private async work(): Promise<void> {
    for (let calls = 0; calls < MAX_CALLS_PER_TURN; calls++) {
      const call = pendingCall(this.state);
      if (!call) return;
      await this.apply(await perform(this.provider, call));
    }
  }

  /** Decides; then writes the state, its announcements and the alarm in one transaction; then sends. */
  private async apply(message: PaymentMessage, cause?: Cause): Promise<void> {
    const now = new Date();
    const events = decide(message, this.state, now, this.policy);
    if (cause) this.cause = cause;
    if (events.length === 0) return;
    let next = this.state;
    const announced: Event[] = [];
    for (const event of events) {
      next = evolve(next, event);
      const announcement = announce(event, next);
      if (!announcement) continue;
      const { type, data, key } = announcement;
      announced.push(newEvent(type, data, { source: SOURCE, subject: data.orderId, cause: this.cause, id: factId(key), now }));
    }
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec(
        `INSERT INTO payment_state (id, state, cause, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, cause = excluded.cause, updated_at = excluded.updated_at`,
        JSON.stringify(next),
        JSON.stringify(this.cause),
        now.getTime(),
      );
      // A fact announced again keeps its id: a row still waiting is sent again, a sent (deleted) one is staged again as rebuilt.
      // Staging arms the alarm for the earlier of the resend and the decider's need; each setAlarm is a row written, so once.
      this.outbox.announce(announced, nextWake(next) ?? Number.POSITIVE_INFINITY);
      this.state = next;
      if (announced.length > 0) return;
      // Not awaited, so the alarm commits with this transaction's writes.
      const wakeAt = this.wakeAt();
      if (Number.isFinite(wakeAt)) void this.ctx.storage.setAlarm(wakeAt);
      else void this.ctx.storage.deleteAlarm();
    });
    await this.outbox.sendNow();
  }

  /** When the alarm is next needed: the earliest of the decider's and the outbox's needs, or infinity. */
  private wakeAt(): number {
    return Math.min(nextWake(this.state) ?? Number.POSITIVE_INFINITY, this.outbox.nextWake());
  }

  private load(): { state: Payment; cause: Cause | null } {
    const row = this.ctx.storage.sql
      .exec<{ state: string; cause: string | null }>('SELECT state, cause FROM payment_state WHERE id = 1')
      .toArray()[0];
    return row
      ? { state: JSON.parse(row.state), cause: row.cause ? JSON.parse(row.cause) : null }
      : { state: initialState, cause: null };
  }
}

function terms(order: OrderToPay) {
  return { orderId: order.id, amountCents: order.totalCents, currency: order.currency };
}

type LegacyRow = {
  order_id: string;
  status: 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';
  reference: string | null;
  amount_cents: number;
  currency: string;
};

/** A payment recorded before the decider (one status column): the same facts in today's shape. */
function upcast(row: LegacyRow): Payment {
  const order = { orderId: row.order_id, amountCents: row.amount_cents, currency: row.currency };
  const reference = row.reference ?? '';
  switch (row.status) {
    case 'declined':
      return { status: 'declined', order, answer: { outcome: 'declined', reason: 'declined' } };
    case 'voided':
      if (!row.reference) return { status: 'voided_before_authorization', order };
      return { status: 'voided', order, answer: { outcome: 'authorized' }, reference };
    case 'authorized':
    case 'captured':
    case 'refunded':
      return { status: row.status, order, answer: { outcome: 'authorized' }, reference };
    default: {
      const _: never = row.status;
      return _;
    }
  }
}
