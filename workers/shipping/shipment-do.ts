import { DurableObject } from 'cloudflare:workers';
import type { OrderSnapshot } from '../../shared/events';
import { Outbox } from '../../shared/outbox';
import { type Cause, newEvent } from '../../shared/publish';

export type ShipmentStatus = 'created';

/** The shipment of one order. */
export class ShipmentDO extends DurableObject<Env> {
  private readonly outbox: Outbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS shipment (
      id INTEGER PRIMARY KEY CHECK (id = 1), shipment_id TEXT NOT NULL, order_id TEXT NOT NULL,
      status TEXT NOT NULL, address TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    this.outbox = new Outbox(ctx.storage, env.BUS);
  }

  /** Creates the shipment of a confirmed order, once. */
  async create(order: OrderSnapshot, cause: Cause): Promise<ShipmentStatus> {
    const { sql } = this.ctx.storage;
    this.ctx.storage.transactionSync(() => {
      if (this.status()) return;
      const shipmentId = `shp_${order.id}`;
      sql.exec(
        'INSERT INTO shipment (id, shipment_id, order_id, status, address, updated_at) VALUES (1, ?, ?, ?, ?, ?)',
        shipmentId,
        order.id,
        'created',
        JSON.stringify(order.shippingAddress),
        new Date().toISOString(),
      );
      this.outbox.add([
        newEvent(
          'shipment.created',
          { orderId: order.id, shipmentId, address: order.shippingAddress },
          { source: 'shipping', subject: order.id, cause },
        ),
      ]);
    });
    await this.outbox.sendNow();
    return this.status()!;
  }

  async read(): Promise<ShipmentStatus | null> {
    return this.status();
  }

  override async alarm(): Promise<void> {
    await this.outbox.onAlarm();
  }

  private status(): ShipmentStatus | null {
    return (
      this.ctx.storage.sql.exec<{ status: ShipmentStatus }>('SELECT status FROM shipment WHERE id = 1').toArray()[0]?.status ??
      null
    );
  }
}
