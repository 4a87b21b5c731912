import { DurableObject } from 'cloudflare:workers';
import type { Event, OrderSnapshot } from '../../shared/events';
import { Outbox } from '../../shared/outbox';
import { type Cause, newEvent } from '../../shared/publish';
import { next, type PaymentAction, type PaymentStatus } from './payment';
import { type PaymentProvider, sandbox } from './provider';

type Row = {
  status: PaymentStatus;
  reference: string | null;
  amount_cents: number;
  currency: string;
};

/** The payment of one order: a state machine over the provider, answering through its outbox. */
export class PaymentDO extends DurableObject<Env> {
  private readonly outbox: Outbox;
  private readonly provider: PaymentProvider = sandbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS payment (
      id INTEGER PRIMARY KEY CHECK (id = 1), order_id TEXT NOT NULL, status TEXT NOT NULL, reference TEXT,
      amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    this.outbox = new Outbox(ctx.storage, env.BUS);
  }

  async authorize(order: OrderSnapshot & { payment: { token: string } }, cause: Cause): Promise<PaymentStatus | null> {
    return this.act('authorize', order, cause, async () => {
      const result = await this.provider.authorize({
        token: order.payment.token,
        amountCents: order.totalCents,
        currency: order.currency,
        idempotencyKey: `authorize_${order.id}`,
      });
      return result.outcome === 'approved'
        ? { status: 'authorized', reference: result.reference }
        : { status: 'declined', reference: null, reason: result.reason };
    });
  }

  async capture(order: OrderSnapshot, cause: Cause): Promise<PaymentStatus | null> {
    return this.act('capture', order, cause, async (row) => {
      await this.provider.capture(row!.reference!, `capture_${order.id}`);
      return { status: 'captured', reference: row!.reference };
    });
  }

  async void(order: OrderSnapshot, cause: Cause): Promise<PaymentStatus | null> {
    return this.act('void', order, cause, async (row) => {
      await this.provider.void(row!.reference!, `void_${order.id}`);
      return { status: 'voided', reference: row!.reference };
    });
  }

  async read(): Promise<PaymentStatus | null> {
    return this.row()?.status ?? null;
  }

  override async alarm(): Promise<void> {
    await this.outbox.onAlarm();
  }

  /**
   * Runs one action with other calls to this payment held back, so the provider is asked at most
   * once per action; the new status and its event commit together.
   */
  private act(
    action: PaymentAction,
    order: OrderSnapshot,
    cause: Cause,
    callProvider: (row: Row | null) => Promise<{
      status: PaymentStatus;
      reference: string | null;
      reason?: string;
    }>,
  ): Promise<PaymentStatus | null> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const row = this.row();
      const step = next(action, row?.status ?? null);
      if (step === 'nothing') return row?.status ?? null;
      if (step === 'record_only') {
        this.save(order, 'voided', null);
        return 'voided';
      }
      const result = await callProvider(row);
      const event = paymentEvent(result.status, order, cause, result.reason);
      this.ctx.storage.transactionSync(() => {
        this.save(order, result.status, result.reference);
        this.outbox.add([event]);
      });
      await this.outbox.sendNow();
      return result.status;
    });
  }

  private row(): Row | null {
    return (
      this.ctx.storage.sql.exec<Row>('SELECT status, reference, amount_cents, currency FROM payment WHERE id = 1').toArray()[0] ??
      null
    );
  }

  private save(order: OrderSnapshot, status: PaymentStatus, reference: string | null) {
    this.ctx.storage.sql.exec(
      `INSERT INTO payment (id, order_id, status, reference, amount_cents, currency, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, reference = excluded.reference, updated_at = excluded.updated_at`,
      order.id,
      status,
      reference,
      order.totalCents,
      order.currency,
      new Date().toISOString(),
    );
  }
}

/** The event that announces a payment's new status. */
function paymentEvent(status: PaymentStatus, order: OrderSnapshot, cause: Cause, reason = 'declined'): Event {
  const data = { orderId: order.id, paymentId: `pay_${order.id}`, amountCents: order.totalCents, currency: order.currency };
  const meta = { source: 'payments', subject: order.id, cause };
  switch (status) {
    case 'authorized':
      return newEvent('payment.authorized', data, meta);
    case 'declined':
      return newEvent('payment.declined', { ...data, reason }, meta);
    case 'captured':
      return newEvent('payment.captured', data, meta);
    case 'voided':
      return newEvent('payment.voided', data, meta);
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}
