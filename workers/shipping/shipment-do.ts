import { DurableObject } from 'cloudflare:workers';
import { type Reply, reply } from '../../shared/errors';
import type { OrderSnapshot } from '../../shared/events';
import { armAlarm, Outbox } from '../../shared/outbox';
import { type Cause, type EventMeta, newEvent } from '../../shared/publish';
import { migrate } from '../../shared/schema';
import { applyCarrierUpdate, type CarrierStatus, type ShipmentStatus } from './shipment';

const SOURCE = 'shipping';
const shipmentId = (orderId: string) => `shp_${orderId}`;

type Row = { shipment_id: string; status: ShipmentStatus; tracking_number: string | null };

/** The shipment of one order: created on confirmation, moved by the carrier's webhooks. */
export class ShipmentDO extends DurableObject<Env> {
  private readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrate(ctx.storage, 'shipment', [
      `CREATE TABLE IF NOT EXISTS shipment (id INTEGER PRIMARY KEY CHECK (id = 1), shipment_id TEXT NOT NULL, order_id TEXT NOT NULL,
        status TEXT NOT NULL, address TEXT NOT NULL, tracking_number TEXT, updated_at TEXT NOT NULL)`,
      'CREATE TABLE IF NOT EXISTS carrier_webhooks (id TEXT PRIMARY KEY, received_at TEXT NOT NULL)',
    ]);
    this.outbox = new Outbox(ctx.storage, env.BUS);
  }

  /** Creates the shipment of a confirmed order, once; never after the order was cancelled. */
  async create(order: OrderSnapshot, cause: Cause): Promise<ShipmentStatus> {
    this.ctx.storage.transactionSync(() => {
      if (this.row()) return;
      this.save(order, 'created');
      this.outbox.add([
        newEvent(
          'shipment.created',
          { orderId: order.id, shipmentId: shipmentId(order.id), address: order.shippingAddress },
          { source: SOURCE, subject: order.id, cause },
        ),
      ]);
    });
    await this.outbox.sendNow();
    return this.row()!.status;
  }

  /** The order was cancelled: a shipment not yet dispatched is called off. */
  async cancel(order: OrderSnapshot, cause: Cause): Promise<ShipmentStatus> {
    this.ctx.storage.transactionSync(() => {
      const row = this.row();
      if (!row) return this.save(order, 'cancelled');
      if (row.status !== 'created') return;
      this.setStatus('cancelled');
      this.outbox.add([update('shipment.cancelled', order.id, { source: SOURCE, subject: order.id, cause })]);
    });
    await this.outbox.sendNow();
    return this.row()!.status;
  }

  /**
   * A verified carrier webhook. A webhook id seen before is ignored (replay protection); answers
   * whether it was a duplicate and the shipment's status after it.
   */
  async carrierUpdate(
    webhook: { id: string; orderId: string; status: CarrierStatus; trackingNumber?: string },
    traceparent: string,
  ): Promise<Reply<{ duplicate: boolean; status: ShipmentStatus | null }>> {
    const result = await reply(() =>
      this.ctx.storage.transactionSync(() => {
        const seen = this.ctx.storage.sql.exec(
          'INSERT INTO carrier_webhooks (id, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING',
          webhook.id,
          new Date().toISOString(),
        );
        const row = this.row();
        if (seen.rowsWritten === 0) return { duplicate: true, status: row?.status ?? null };
        const steps = applyCarrierUpdate(row?.status ?? null, webhook.status);
        if (webhook.trackingNumber)
          this.ctx.storage.sql.exec('UPDATE shipment SET tracking_number = ? WHERE id = 1', webhook.trackingNumber);
        const trackingNumber = webhook.trackingNumber ?? row!.tracking_number ?? undefined;
        const meta = { source: SOURCE, subject: webhook.orderId, cause: null, traceparent };
        for (const step of steps) this.setStatus(step);
        this.outbox.add(steps.map((step) => update(`shipment.${step}`, webhook.orderId, meta, trackingNumber)));
        return { duplicate: false, status: this.row()!.status };
      }),
    );
    await this.outbox.sendNow();
    return result;
  }

  async read(): Promise<ShipmentStatus | null> {
    return this.row()?.status ?? null;
  }

  override async alarm(): Promise<void> {
    await armAlarm(this.ctx.storage, await this.outbox.onAlarm());
  }

  private row(): Row | null {
    return (
      this.ctx.storage.sql.exec<Row>('SELECT shipment_id, status, tracking_number FROM shipment WHERE id = 1').toArray()[0] ??
      null
    );
  }

  private save(order: OrderSnapshot, status: ShipmentStatus) {
    this.ctx.storage.sql.exec(
      'INSERT INTO shipment (id, shipment_id, order_id, status, address, updated_at) VALUES (1, ?, ?, ?, ?, ?)',
      shipmentId(order.id),
      order.id,
      status,
      JSON.stringify(order.shippingAddress),
      new Date().toISOString(),
    );
  }

  private setStatus(status: ShipmentStatus) {
    this.ctx.storage.sql.exec('UPDATE shipment SET status = ?, updated_at = ? WHERE id = 1', status, new Date().toISOString());
  }
}

/** A change of a shipment's status, as an event. */
function update(
  type: 'shipment.cancelled' | 'shipment.dispatched' | 'shipment.delivered',
  orderId: string,
  meta: EventMeta,
  trackingNumber?: string,
) {
  return newEvent(type, { orderId, shipmentId: shipmentId(orderId), ...(trackingNumber ? { trackingNumber } : {}) }, meta);
}
