import { DurableObject } from 'cloudflare:workers';
import type { Event, OrderSnapshot } from '../../shared/events';
import { armAlarm, Outbox } from '../../shared/outbox';
import { type Cause, newEvent } from '../../shared/publish';
import { migrate } from '../../shared/schema';
import { httpProvider } from './http-provider';
import { next, type PaymentAction, type PaymentStatus, type ProviderCall } from './payment';
import type { PaymentProvider } from './provider';
import { sandbox } from './sandbox';

type Row = {
  status: PaymentStatus;
  reference: string | null;
};

type OrderToPay = OrderSnapshot & { payment?: { token: string } };

/** The provider named by PAYMENT_PROVIDER: `sandbox` (local) or `http` (a Stripe-compatible API). */
function providerFor(env: Env): PaymentProvider {
  if (env.PAYMENT_PROVIDER === 'http') return httpProvider({ baseUrl: env.PAYMENT_API_URL, apiKey: env.PAYMENT_API_KEY ?? '' });
  return sandbox();
}

/**
 * The payment of one order: a state machine over the provider, answering through its outbox.
 * Steps for one payment run one at a time, so the provider is asked at most once per step; a step
 * asked again announces its outcome again with the same event id.
 */
export class PaymentDO extends DurableObject<Env> {
  private readonly outbox: Outbox;
  private readonly provider: PaymentProvider;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, 'payment', [
      `CREATE TABLE IF NOT EXISTS payment (id INTEGER PRIMARY KEY CHECK (id = 1), order_id TEXT NOT NULL, status TEXT NOT NULL,
        reference TEXT, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, updated_at TEXT NOT NULL)`,
    ]);
    this.outbox = new Outbox(ctx.storage, env.BUS);
    this.provider = providerFor(env);
  }

  /** On order.placed. */
  authorize(order: OrderToPay, cause: Cause): Promise<PaymentStatus | null> {
    return this.act('authorize', order, cause);
  }

  /** On order.confirmed. */
  capture(order: OrderToPay, cause: Cause): Promise<PaymentStatus | null> {
    return this.act('capture', order, cause);
  }

  /** On order.cancelled: void an authorization, refund a capture, or remember that none may follow. */
  compensate(order: OrderToPay, cause: Cause): Promise<PaymentStatus | null> {
    return this.act('compensate', order, cause);
  }

  async read(): Promise<PaymentStatus | null> {
    return this.row()?.status ?? null;
  }

  override async alarm(): Promise<void> {
    await armAlarm(this.ctx.storage, await this.outbox.onAlarm());
  }

  /**
   * Runs steps one after another. Not `blockConcurrencyWhile`: a provider failure must reach the
   * caller (and the queue's retry) without resetting the object.
   */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private act(action: PaymentAction, order: OrderToPay, cause: Cause): Promise<PaymentStatus | null> {
    return this.serialized(async () => {
      const row = this.row();
      const step = next(action, row?.status ?? null);
      switch (step.kind) {
        case 'nothing':
          return row?.status ?? null;
        case 'repeat':
          this.outbox.resend(`payment.${row!.status}`);
          await this.outbox.sendNow();
          return row!.status;
        case 'record':
          this.save(order, step.status, null);
          return step.status;
        case 'call': {
          const result = await this.call(step.call, order, row);
          this.ctx.storage.transactionSync(() => {
            this.save(order, result.status, result.reference);
            this.outbox.add([paymentEvent(result.status, order, cause, result.reason)]);
          });
          await this.outbox.sendNow();
          return result.status;
        }
      }
    });
  }

  /** Asks the provider; a transient failure throws, so the queue retries the whole step later. */
  private async call(call: ProviderCall, order: OrderToPay, row: Row | null) {
    const key = `${call}_${order.id}`;
    switch (call) {
      case 'authorize': {
        const result = await this.provider.authorize({
          token: order.payment?.token ?? '',
          amountCents: order.totalCents,
          currency: order.currency,
          idempotencyKey: key,
        });
        return result.outcome === 'approved'
          ? { status: 'authorized' as const, reference: result.reference }
          : { status: 'declined' as const, reference: null, reason: result.reason };
      }
      case 'capture':
        await this.provider.capture(row!.reference!, key);
        return { status: 'captured' as const, reference: row!.reference };
      case 'void':
        await this.provider.void(row!.reference!, key);
        return { status: 'voided' as const, reference: row!.reference };
      case 'refund':
        await this.provider.refund(row!.reference!, key);
        return { status: 'refunded' as const, reference: row!.reference };
    }
  }

  private row(): Row | null {
    return this.ctx.storage.sql.exec<Row>('SELECT status, reference FROM payment WHERE id = 1').toArray()[0] ?? null;
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
    case 'refunded':
      return newEvent('payment.refunded', data, meta);
    default: {
      const _exhaustive: never = status;
      return _exhaustive;
    }
  }
}
