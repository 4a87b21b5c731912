import { DurableObject } from 'cloudflare:workers';
import { bus } from '../../shared/bus';
import { requireConfig } from '../../shared/config';
import { DomainError, type Reply, reply } from '../../shared/errors';
import type { Event, OrderSnapshot } from '../../shared/events';
import { factId } from '../../shared/ids';
import { Inbox } from '../../shared/inbox';
import { Meter } from '../../shared/metrics';
import { armAlarm, Outbox } from '../../shared/outbox';
import { type Cause, newEvent } from '../../shared/publish';
import type { SagaBookkeeping } from '../../shared/responses';
import { countRowsWritten, RowsWritten } from '../../shared/rows-written';
import { migrate, type SchemaPart } from '../../shared/schema';
import { OrdersConfig } from './config';
import { EventStream } from './event-stream';
import { IdempotencyRecord } from './idempotency';
import {
  announce,
  askedAgain,
  deadline,
  decide,
  evolve,
  initialOrder,
  milestoneOf,
  type Order,
  type OrderChange,
  type OrderCommand,
  type OrderState,
  placed,
  type SagaPolicy,
  snapshot,
} from './order';

const SOURCE = 'orders';

/** Where a command came from: another service's event, or a request (its trace). */
type Origin = { cause?: Cause; traceparent?: string | undefined };

/**
 * One order: a thin shell around the order decider (order.ts). Load the stream, decide, append
 * the events and stage what they announce in the outbox in one SQLite transaction, then send and
 * answer. The alarm sends what is unsent and asks again for overdue steps.
 */
export class OrderDO extends DurableObject<Env> {
  /** The object's tables: its stream, outbox and inbox; its idempotency record's with the first key (idempotency.ts). */
  static readonly schema: readonly SchemaPart[] = [EventStream.schema, Outbox.schema, Inbox.schema];

  private state: Order;
  private readonly stream: EventStream;
  private readonly outbox: Outbox;
  private readonly inbox: Inbox;
  private readonly idempotency: IdempotencyRecord;
  private readonly policy: SagaPolicy;
  /** Every row this object writes, counted as SQLite reports it. */
  readonly rowsWritten: RowsWritten;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.rowsWritten = countRowsWritten(ctx, new Meter(env, 'orders', ctx), new RowsWritten('OrderDO'));
    migrate(ctx.storage, OrderDO.schema);
    this.stream = new EventStream(ctx.storage);
    this.outbox = new Outbox(ctx.storage, bus(env));
    this.inbox = new Inbox(ctx.storage);
    this.idempotency = new IdempotencyRecord(ctx.storage, OrderDO.schema);
    const config = requireConfig('orders', OrdersConfig, env);
    this.policy = { timeoutMs: config.SAGA_TIMEOUT_SECONDS * 1000, maxNudges: config.SAGA_MAX_NUDGES };
    this.state = this.stream.read().reduce(evolve, initialOrder);
  }

  /**
   * Places the order, or, with an Idempotency-Key (`fingerprint` of the body), answers the first
   * answer again; all in one transaction, so a key and its order are recorded together or not at
   * all.
   */
  async place(
    command: Extract<OrderCommand, { type: 'PlaceOrder' }>,
    traceparent: string,
    key?: { fingerprint: string },
  ): Promise<Reply<{ order: OrderSnapshot; replayed: boolean }>> {
    return reply(async () => {
      const seen = key ? this.idempotency.lookup(key.fingerprint) : { kind: 'new' as const };
      if (seen.kind === 'mismatch')
        throw new DomainError('idempotency_key_reused', 'this Idempotency-Key was used with another body');
      if (seen.kind === 'replay') return { order: JSON.parse(seen.body) as OrderSnapshot, replayed: true };
      const order = await this.execute(
        command,
        { traceparent },
        (view) => {
          if (key) this.idempotency.record(key.fingerprint, view, Date.now());
        },
        'answer at commit',
      );
      return { order: snapshot(placed(order)), replayed: false };
    });
  }

  /** Reacts to another service's event about this order; a repeated event changes nothing. */
  async handle(command: OrderCommand, cause: Cause): Promise<void> {
    await this.execute(command, { cause });
  }

  /**
   * The customer's cancel: a pending order cancels at once; a confirmed one asks shipping
   * (`cancellation: "requested"`); refused once the parcel has left.
   */
  async cancel(traceparent: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () =>
      snapshot(placed(await this.execute({ type: 'CancelOrder' }, { traceparent }, undefined, 'answer at commit'))),
    );
  }

  /** The order now, or null when it was never placed. */
  async read(): Promise<OrderSnapshot | null> {
    return this.state.status === 'empty' ? null : snapshot(this.state);
  }

  /** The order with the saga's bookkeeping, for operators: the steps still open and how often they were asked for. */
  async inspect(): Promise<(OrderSnapshot & SagaBookkeeping) | null> {
    if (this.state.status === 'empty') return null;
    const { awaiting, nudges, waitingSince } = this.state;
    return { ...snapshot(this.state), awaiting, nudges, waitingSince, nextDeadline: toIso(this.nextDeadline()) };
  }

  override async alarm(): Promise<void> {
    await this.outbox.onAlarm();
    if (this.state.status !== 'empty') await this.execute({ type: 'CheckDeadline', policy: this.policy }, {});
    await armAlarm(this.ctx.storage, this.outbox.nextWake(), this.nextDeadline(), this.idempotency.prune(Date.now()));
  }

  private nextDeadline(state: Order = this.state): number {
    return state.status === 'empty' ? Number.POSITIVE_INFINITY : deadline(state, this.policy);
  }

  /**
   * Decides, appends, stages what the events announce (and asks again for overdue steps) and runs
   * `alsoInTransaction`, all in one SQLite transaction; then sends. A cause already handled
   * changes nothing. A customer's request is answered at the commit, with the send behind it: the
   * outbox and its alarm deliver what is committed, so the customer need not wait for the queue.
   */
  private async execute(
    command: OrderCommand,
    origin: Origin,
    alsoInTransaction?: (view: OrderSnapshot) => void,
    answer: 'answer at commit' | 'answer after send' = 'answer after send',
  ) {
    this.state = this.ctx.storage.transactionSync(() => {
      if (origin.cause && !this.inbox.firstTime(origin.cause.id)) return this.state;
      const now = new Date();
      const events = decide(command, this.state, now);
      if (events.length === 0) return this.state;
      this.stream.append(events, this.state.version);
      let next = this.state;
      const published: Event[] = [];
      const askedFor: Event[] = [];
      for (const event of events) {
        next = evolve(next, event);
        const order = placed(next);
        if (event.type === 'SagaNudged') askedFor.push(...askAgain(event, order, origin, now));
        const out = announcement(event, order, origin, now);
        if (out) published.push(out);
      }
      this.outbox.add(published, this.nextDeadline(next));
      // Asked again under their first ids: an event still waiting goes as first staged, a sent one as rebuilt here.
      this.outbox.announce(askedFor, this.nextDeadline(next));
      alsoInTransaction?.(snapshot(placed(next)));
      return next;
    });
    if (answer === 'answer at commit') this.ctx.waitUntil(this.outbox.sendNow());
    else await this.outbox.sendNow();
    return this.state;
  }
}

const toIso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

/** The events that ask for a nudge's overdue steps, under the ids they were first sent with. */
function askAgain(nudge: Extract<OrderChange, { type: 'SagaNudged' }>, order: OrderState, origin: Origin, now: Date): Event[] {
  return askedAgain(nudge).flatMap((type) => {
    const milestone = milestoneOf(type, order);
    const out = milestone && announcement(milestone, order, origin, now);
    return out ? [out] : [];
  });
}

/** The published event of a stream event, if any, with the id of the fact it states. */
function announcement(event: OrderChange, order: OrderState, origin: Origin, now: Date): Event | null {
  const out = announce(event, order);
  if (!out) return null;
  const meta = { source: SOURCE, subject: order.id, cause: origin.cause ?? null, traceparent: origin.traceparent, now };
  return newEvent(out.type, out.data as never, { ...meta, id: factId(out.key) });
}
