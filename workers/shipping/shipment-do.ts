import { DurableObject } from 'cloudflare:workers';
import { bus } from '../../shared/bus';
import { type Reply, reply } from '../../shared/errors';
import type { Event, OrderSnapshot } from '../../shared/events';
import { factId } from '../../shared/ids';
import { armAlarm, Outbox } from '../../shared/outbox';
import { openPersonal, type VaultRpc } from '../../shared/personal-data';
import { type Cause, newEvent } from '../../shared/publish';
import { migrate } from '../../shared/schema';
import type { Sealed } from '../../shared/sealed';
import {
  type Announcement,
  announce,
  answerAgain,
  type CarrierStatus,
  decide,
  evolve,
  nextWake,
  type Shipment,
  type ShipmentMessage,
  type ShipmentStatus,
  shipmentId,
} from './shipment';

const SOURCE = 'shipping';

type Row = {
  order_id: string;
  status: ShipmentStatus;
  address: string;
  tracking_number: string | null;
  exception: CarrierStatus | null;
  exception_at: number | null;
  exception_repeats: number | null;
};

/** Where a message came from: another service's event, or a carrier webhook (its trace). */
type Origin = { cause: Cause | null; traceparent?: string };

/**
 * The shipment of one order; a thin shell around the shipment decider (shipment.ts): load,
 * decide, persist the state and stage what it announces in one transaction, then send. A repeated
 * message is answered again with the same event (the asker may have lost the first answer).
 */
export class ShipmentDO extends DurableObject<Env> {
  private readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, 'shipment', [
      `CREATE TABLE IF NOT EXISTS shipment (id INTEGER PRIMARY KEY CHECK (id = 1), shipment_id TEXT NOT NULL, order_id TEXT NOT NULL,
        status TEXT NOT NULL, address TEXT NOT NULL, tracking_number TEXT, updated_at TEXT NOT NULL)`,
      'CREATE TABLE IF NOT EXISTS carrier_webhooks (id TEXT PRIMARY KEY, received_at TEXT NOT NULL)',
      'ALTER TABLE shipment ADD COLUMN exception TEXT',
      'ALTER TABLE shipment ADD COLUMN exception_at INTEGER',
      'ALTER TABLE shipment ADD COLUMN exception_repeats INTEGER',
    ]);
    this.outbox = new Outbox(ctx.storage, bus(env));
  }

  /**
   * order.confirmed: creates the shipment, once; never after it was called off. Creating it is when
   * the parcel is addressed, so the address is opened (through the vault) first: one that cannot be
   * read (its customer erased, or an event of version 1) creates no shipment, and the order's saga,
   * still waiting for it, flags the order `overdue` for an operator. Nothing is shipped blind.
   */
  async create(
    order: Pick<OrderSnapshot, 'id' | 'customerId' | 'shippingAddress'>,
    cause: Cause,
  ): Promise<ShipmentStatus | null> {
    const address = this.load().status === 'none' ? await this.readableAddress(order) : order.shippingAddress;
    if (!address) return null;
    return this.execute({ type: 'Create', orderId: order.id, address }, { cause });
  }

  /** The order's sealed address if it opens, else undefined (logged: an operator will see the order flagged). */
  private async readableAddress(
    order: Pick<OrderSnapshot, 'id' | 'customerId' | 'shippingAddress'>,
  ): Promise<Sealed | undefined> {
    const vault = this.env.VAULT as unknown as Service<VaultRpc>;
    const opened = await openPersonal(vault, order, ['shippingAddress']);
    if (opened.shippingAddress && order.shippingAddress) return order.shippingAddress;
    console.error(
      JSON.stringify({ msg: 'no shipment: the address cannot be read', orderId: order.id, personalData: opened.personalData }),
    );
    return undefined;
  }

  /** order.cancellation_requested: calls the shipment off, or refuses once the parcel has left. */
  async requestCancel(orderId: string, cause: Cause): Promise<ShipmentStatus | null> {
    return this.execute({ type: 'RequestCancel', orderId }, { cause });
  }

  /**
   * A verified carrier webhook. A webhook id seen before is ignored (replay protection); answers
   * whether it was a duplicate, the shipment's status after it, and any exception it raised.
   */
  async carrierUpdate(
    webhook: { id: string; orderId: string; status: CarrierStatus; trackingNumber?: string },
    traceparent: string,
  ): Promise<Reply<{ duplicate: boolean; status: ShipmentStatus | null; exception?: 'dispatched_after_cancellation' }>> {
    return reply(async () => {
      const seen = this.ctx.storage.transactionSync(() => {
        const { rowsWritten } = this.ctx.storage.sql.exec(
          'INSERT INTO carrier_webhooks (id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
          webhook.id,
          new Date().toISOString(),
        );
        return rowsWritten === 0;
      });
      if (seen) {
        const now = this.load();
        return { duplicate: true, status: now.status === 'none' ? null : now.status };
      }
      const { id: _, ...update } = webhook;
      try {
        await this.execute({ type: 'CarrierUpdate', ...update }, { cause: null, traceparent });
      } catch (error) {
        // A refused update must not use up its webhook id: the carrier may send it again once it is valid.
        this.ctx.storage.sql.exec('DELETE FROM carrier_webhooks WHERE id = ?', webhook.id);
        throw error;
      }
      const after = this.load();
      if (after.status === 'none') return { duplicate: false, status: null };
      return {
        duplicate: false,
        status: after.status,
        ...(after.exception ? { exception: 'dispatched_after_cancellation' as const } : {}),
      };
    });
  }

  async read(): Promise<ShipmentStatus | null> {
    const state = this.load();
    return state.status === 'none' ? null : state.status;
  }

  override async alarm(): Promise<void> {
    const state = this.load();
    if (state.status !== 'none') await this.execute({ type: 'Tick', orderId: state.orderId }, { cause: null });
    await armAlarm(this.ctx.storage, await this.outbox.onAlarm(), nextWake(this.load()) ?? Number.POSITIVE_INFINITY);
  }

  private async execute(message: ShipmentMessage, origin: Origin): Promise<ShipmentStatus | null> {
    const state = this.ctx.storage.transactionSync(() => {
      const before = this.load();
      const events = decide(message, before, new Date());
      const after = events.reduce(evolve, before);
      const wake = nextWake(after) ?? Number.POSITIVE_INFINITY;
      if (events.length > 0) {
        this.save(after);
        this.outbox.announce(
          events.map((e) => this.toEvent(announce(e), origin)),
          wake,
        );
      } else {
        const again = answerAgain(message, after);
        if (again) this.outbox.announce([this.toEvent(again, origin)], wake);
      }
      return after;
    });
    await this.outbox.sendNow();
    return state.status === 'none' ? null : state.status;
  }

  private toEvent(out: Announcement, origin: Origin): Event {
    return newEvent(out.type, out.data as never, {
      source: SOURCE,
      subject: out.data.orderId as string,
      cause: origin.cause,
      traceparent: origin.traceparent,
      id: factId(out.key),
    });
  }

  private load(): Shipment {
    const row = this.ctx.storage.sql
      .exec<Row>(
        'SELECT order_id, status, address, tracking_number, exception, exception_at, exception_repeats FROM shipment WHERE id = 1',
      )
      .toArray()[0];
    if (!row) return { status: 'none' };
    const address = JSON.parse(row.address) as Sealed | null;
    return {
      status: row.status,
      orderId: row.order_id,
      ...(address ? { address } : {}),
      ...(row.tracking_number ? { trackingNumber: row.tracking_number } : {}),
      ...(row.exception
        ? { exception: row.exception, exceptionAt: row.exception_at ?? 0, exceptionRepeats: row.exception_repeats ?? 0 }
        : {}),
    };
  }

  private save(state: Shipment): void {
    if (state.status === 'none') return;
    this.ctx.storage.sql.exec(
      `INSERT INTO shipment (id, shipment_id, order_id, status, address, tracking_number, exception, exception_at,
         exception_repeats, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, address = excluded.address,
         tracking_number = excluded.tracking_number, exception = excluded.exception, exception_at = excluded.exception_at,
         exception_repeats = excluded.exception_repeats, updated_at = excluded.updated_at`,
      shipmentId(state.orderId),
      state.orderId,
      state.status,
      JSON.stringify(state.address ?? null),
      state.trackingNumber ?? null,
      state.exception ?? null,
      state.exceptionAt ?? null,
      state.exceptionRepeats ?? null,
      new Date().toISOString(),
    );
  }
}
