import { DurableObject } from 'cloudflare:workers';
import { type Reply, reply } from '../../shared/errors';
import type { Event, OrderSnapshot } from '../../shared/events';
import { Inbox } from '../../shared/inbox';
import { armAlarm, Outbox } from '../../shared/outbox';
import { type Cause, newEvent } from '../../shared/publish';
import { EventStream } from './event-stream';
import { IdempotencyRecord, type Start } from './idempotency';
import {
  deadline,
  decide,
  evolve,
  initialOrder,
  type Order,
  type OrderCommand,
  type OrderEvent,
  type PlacedOrder,
  type SagaPolicy,
  snapshot,
} from './order';

const SOURCE = 'orders';

/**
 * One order: an append-only event stream in SQLite, state rebuilt by `evolve`, decisions by `decide`,
 * an outbox that turns the stream's milestones into order.* events, and an alarm that asks again
 * for overdue replies and finally cancels the order.
 */
export class OrderDO extends DurableObject<Env> {
  private state: Order;
  private readonly stream: EventStream;
  private readonly outbox: Outbox;
  private readonly inbox: Inbox;
  private readonly idempotency: IdempotencyRecord;
  private readonly policy: SagaPolicy;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.stream = new EventStream(ctx.storage);
    this.outbox = new Outbox(ctx.storage, env.BUS);
    this.inbox = new Inbox(ctx.storage);
    this.idempotency = new IdempotencyRecord(ctx.storage);
    this.policy = { timeoutMs: Number(env.SAGA_TIMEOUT_SECONDS) * 1000, maxNudges: Number(env.SAGA_MAX_NUDGES) };
    this.state = this.load();
  }

  /** Claims an idempotency key for a request with this body fingerprint (see {@link IdempotencyRecord}). */
  async start(fingerprint: string): Promise<Start> {
    return this.idempotency.start(fingerprint, Date.now());
  }

  /** Lets go of a keyed request that was refused before the order was placed, so a retry runs again. */
  async release(fingerprint: string): Promise<void> {
    this.idempotency.release(fingerprint);
  }

  /** Places the order; `traceparent` ties its events to the HTTP request. */
  async place(
    command: Extract<OrderCommand, { type: 'PlaceOrder' }>,
    traceparent: string,
    fingerprint?: string,
  ): Promise<Reply<OrderSnapshot>> {
    // The idempotency key's answer is recorded in the same transaction as the order itself.
    const rememberAnswer = (view: OrderSnapshot) => fingerprint && this.idempotency.finish(fingerprint, 202, view);
    return reply(async () => snapshot(placed(await this.execute(command, { traceparent }, rememberAnswer))));
  }

  /** Reacts to another service's event about this order; a redelivered event changes nothing. */
  async handle(command: OrderCommand, cause: Cause): Promise<void> {
    await this.execute(command, { cause });
  }

  /** The customer's cancel: allowed until the order is shipped. */
  async cancel(traceparent: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => snapshot(placed(await this.execute({ type: 'CancelOrder' }, { traceparent }))));
  }

  /** The order now, or null when it was never placed. */
  async read(): Promise<OrderSnapshot | null> {
    return this.state.status === 'empty' ? null : snapshot(this.state);
  }

  override async alarm(): Promise<void> {
    await this.outbox.onAlarm();
    if (this.state.status === 'pending') await this.execute({ type: 'CheckDeadline', policy: this.policy }, {});
    await armAlarm(this.ctx.storage, this.outbox.nextWake(), this.sagaDeadline());
  }

  private sagaDeadline(state: Order = this.state): number {
    return state.status === 'pending' ? deadline(state, this.policy) : Number.POSITIVE_INFINITY;
  }

  private load(): Order {
    return this.stream.read().reduce(evolve, initialOrder);
  }

  /**
   * Decides, appends, stages the resulting order.* events and runs `alsoInTransaction`, all in one
   * SQLite transaction; then sends. A cause already handled changes nothing.
   */
  private async execute(
    command: OrderCommand,
    origin: { cause?: Cause; traceparent?: string | undefined },
    alsoInTransaction?: (view: OrderSnapshot) => void,
  ): Promise<Order> {
    this.state = this.ctx.storage.transactionSync(() => {
      if (origin.cause && !this.inbox.firstTime(origin.cause.id)) return this.state;
      const events = decide(command, this.state, new Date());
      if (events.length === 0) return this.state;
      this.stream.append(events, this.state.version);
      let next = this.state;
      const published: Event[] = [];
      for (const event of events) {
        next = evolve(next, event);
        if (event.type === 'SagaNudged') this.outbox.resend('order.placed', this.sagaDeadline(next));
        const out = integrationEvent(event, placed(next), origin);
        if (out) published.push(out);
      }
      this.outbox.add(published, this.sagaDeadline(next));
      alsoInTransaction?.(snapshot(placed(next)));
      return next;
    });
    await this.outbox.sendNow();
    return this.state;
  }
}

function placed(state: Order): PlacedOrder {
  if (state.status === 'empty') throw new Error('order not placed');
  return state;
}

/** The order.* event a stream event publishes, if any; each carries the order as of that event. */
function integrationEvent(
  event: OrderEvent,
  order: PlacedOrder,
  origin: { cause?: Cause; traceparent?: string | undefined },
): Event | null {
  const meta = { source: SOURCE, subject: order.id, cause: origin.cause ?? null, traceparent: origin.traceparent };
  const view = snapshot(order);
  switch (event.type) {
    case 'OrderPlaced':
      return newEvent('order.placed', { ...view, payment: { token: order.paymentToken } }, meta);
    case 'OrderConfirmed':
      return newEvent('order.confirmed', view, meta);
    case 'OrderCancelled':
      return newEvent('order.cancelled', { ...view, cancelReason: event.data.reason }, meta);
    case 'OrderShipped':
      return newEvent('order.shipped', view, meta);
    case 'OrderDelivered':
      return newEvent('order.delivered', view, meta);
    default:
      return null;
  }
}
