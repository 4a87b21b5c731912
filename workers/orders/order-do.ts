import { DurableObject } from 'cloudflare:workers';
import { AppError, type Reply, reply } from '../../shared/errors';
import type { Event, OrderSnapshot } from '../../shared/events';
import { Inbox } from '../../shared/inbox';
import { Outbox } from '../../shared/outbox';
import { type Cause, newEvent } from '../../shared/publish';
import {
  decide,
  evolve,
  initialOrder,
  type Order,
  type OrderCommand,
  type OrderEvent,
  type PlacedOrder,
  snapshot,
} from './order';

const SOURCE = 'orders';

/**
 * One order: an append-only event stream in SQLite, state rebuilt by `evolve`, decisions by `decide`,
 * and an outbox that turns the stream's milestones into order.* events on the bus.
 */
export class OrderDO extends DurableObject<Env> {
  private state: Order;
  private readonly outbox: Outbox;
  private readonly inbox: Inbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const { sql } = ctx.storage;
    sql.exec('CREATE TABLE IF NOT EXISTS events (version INTEGER PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL)');
    this.outbox = new Outbox(ctx.storage, env.BUS);
    this.inbox = new Inbox(sql);
    this.state = this.load();
  }

  /** Places the order; `traceparent` ties its events to the HTTP request. */
  async place(command: Extract<OrderCommand, { type: 'PlaceOrder' }>, traceparent: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => snapshot(placed(await this.execute(command, { traceparent }))));
  }

  /** Reacts to another service's event about this order; a redelivered event changes nothing. */
  async handle(command: OrderCommand, cause: Cause): Promise<void> {
    await this.execute(command, { cause });
  }

  /** The order now, or null when it was never placed. */
  async read(): Promise<OrderSnapshot | null> {
    return this.state.status === 'empty' ? null : snapshot(this.state);
  }

  override async alarm(): Promise<void> {
    await this.outbox.onAlarm();
  }

  private load(): Order {
    const rows = this.ctx.storage.sql.exec<{ type: string; data: string }>('SELECT type, data FROM events ORDER BY version');
    let state = initialOrder;
    for (const row of rows) state = evolve(state, { type: row.type, data: JSON.parse(row.data) } as OrderEvent);
    return state;
  }

  private async execute(command: OrderCommand, origin: { cause?: Cause; traceparent?: string }): Promise<Order> {
    this.state = this.ctx.storage.transactionSync(() => {
      if (origin.cause && !this.inbox.firstTime(origin.cause.id)) return this.state;
      const events = decide(command, this.state, new Date());
      this.append(events);
      let next = this.state;
      const published: Event[] = [];
      for (const event of events) {
        next = evolve(next, event);
        const out = integrationEvent(event, placed(next), origin);
        if (out) published.push(out);
      }
      this.outbox.add(published);
      return next;
    });
    await this.outbox.sendNow();
    return this.state;
  }

  /** Appends at the expected version; a version already taken fails the whole transaction. */
  private append(events: OrderEvent[]): void {
    let version = this.state.version;
    for (const event of events) {
      version += 1;
      const { rowsWritten } = this.ctx.storage.sql.exec(
        'INSERT INTO events (version, type, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        version,
        event.type,
        JSON.stringify(event.data),
      );
      if (rowsWritten === 0) {
        throw new AppError({ code: 'version_conflict', message: `version ${version} is taken`, status: 409 });
      }
    }
  }
}

function placed(state: Order): PlacedOrder {
  if (state.status === 'empty') throw new Error('order not placed');
  return state;
}

/** The order.* event a stream event publishes, if any; each carries the order as of that event. */
function integrationEvent(event: OrderEvent, order: PlacedOrder, origin: { cause?: Cause; traceparent?: string }): Event | null {
  const meta = { source: SOURCE, subject: order.id, cause: origin.cause ?? null, traceparent: origin.traceparent };
  const view = snapshot(order);
  switch (event.type) {
    case 'OrderPlaced':
      return newEvent('order.placed', { ...view, payment: { token: order.paymentToken } }, meta);
    case 'OrderConfirmed':
      return newEvent('order.confirmed', view, meta);
    case 'OrderCancelled':
      return newEvent('order.cancelled', { ...view, cancelReason: event.data.reason }, meta);
    default:
      return null;
  }
}
