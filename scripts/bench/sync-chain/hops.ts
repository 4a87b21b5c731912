import { WorkerEntrypoint } from 'cloudflare:workers';
import { DomainError } from '../../../shared/errors';
import type { EventOf, OrderSnapshot } from '../../../shared/events';
import type { Cause } from '../../../shared/publish';
import { simulateFaults } from '../../../shared/simulated-faults';
import { reservationOutcome } from '../../../workers/inventory/stock';
import { mailerFor } from '../../../workers/notifications/mailer';
import { mailFor } from '../../../workers/notifications/templates';
import { price } from '../../../workers/orders/pricing';
import { syncChainConfig } from './config';
import type { HopName } from './services';

/** A business "no" a hop answers as a value; a failure to answer (an outage) is thrown. */
export interface Refusal {
  ok: false;
  code: 'unknown_sku' | 'mixed_currencies' | 'out_of_stock' | 'payment_declined' | 'payment_unavailable';
  message: string;
}
export type Step<T> = { ok: true; value: T } | Refusal;

const done = <T>(value: T): Step<T> => ({ ok: true, value });
const refuse = (code: Refusal['code'], message: string): Refusal => ({ ok: false, code, message });

type OrderToPay = OrderSnapshot & { payment: { token: string } };

/** One service of the chain: each call pays the service's simulated faults, then does its work. */
abstract class Hop extends WorkerEntrypoint<Env> {
  protected abstract readonly service: HopName;

  protected async call<T>(work: () => Promise<T>): Promise<T> {
    await simulateFaults(this.service, syncChainConfig(this.env).faultsOf(this.service));
    return work();
  }
}

/** Inventory's work for one order: price the lines from the catalog, then hold them all or none (InventoryDO per SKU). */
export class InventoryHop extends Hop {
  protected readonly service = 'inventory';

  reserve(order: { id: string; items: { sku: string; quantity: number }[]; placedAt: string }) {
    return this.call(async () => {
      const skus = [...new Set(order.items.map((i) => i.sku))];
      const products = await Promise.all(skus.map((sku) => this.stock(sku).read()));
      const catalog = new Map(products.flatMap((p) => (p ? [[p.sku, p] as const] : [])));
      let priced: ReturnType<typeof price>;
      try {
        priced = price(order.items, catalog);
      } catch (error) {
        if (error instanceof DomainError && (error.code === 'unknown_sku' || error.code === 'mixed_currencies')) {
          return refuse(error.code, error.message);
        }
        throw error;
      }
      const lines = priced.items.map(({ sku, quantity }) => ({ sku, quantity }));
      const holds = await Promise.all(lines.map((l) => this.stock(l.sku).reserve(order.id, l.quantity, order.placedAt)));
      const outcome = reservationOutcome(lines, holds);
      if (!outcome) throw new Error(`order ${order.id} is too old to hold stock for`);
      if (outcome.answer === 'inventory.reserved') return done(priced);
      await Promise.all(outcome.undo.map((l) => this.stock(l.sku).undo(order.id)));
      return refuse('out_of_stock', `not enough stock of ${outcome.short.join(', ')}`);
    });
  }

  /** Gives the order's holds back: a later hop failed. */
  release(orderId: string, skus: string[]) {
    return this.call(async () => done(await Promise.all(skus.map((sku) => this.stock(sku).undo(orderId)))));
  }

  private stock(sku: string) {
    return this.env.INVENTORY_DO.getByName(sku);
  }
}

/** Payments' work: authorize with the provider (the sandbox here), through the order's PaymentDO and its decider. */
export class PaymentsHop extends Hop {
  protected readonly service = 'payments';

  authorize(order: OrderToPay, cause: Cause) {
    return this.call(async () => {
      const payment = await this.env.PAYMENT_DO.getByName(order.id).authorize(order, cause);
      if (payment.status === 'authorized') return done(payment.status);
      if (payment.status === 'declined') return refuse('payment_declined', 'the card was declined');
      return refuse('payment_unavailable', `the payment is ${payment.status}, not authorized`);
    });
  }

  /** Voids the authorization: a later hop failed. */
  void(order: OrderSnapshot, cause: Cause) {
    return this.call(async () => done((await this.env.PAYMENT_DO.getByName(order.id).compensate(order, cause)).status));
  }
}

/** Shipping's work: create the order's shipment (ShipmentDO and its decider). */
export class ShippingHop extends Hop {
  protected readonly service = 'shipping';

  create(order: OrderSnapshot, cause: Cause) {
    return this.call(async () => done(await this.env.SHIPMENT_DO.getByName(order.id).create(order, cause)));
  }

  /** Calls the shipment off: a later hop failed. */
  cancel(orderId: string, cause: Cause) {
    return this.call(async () => done(await this.env.SHIPMENT_DO.getByName(orderId).requestCancel(orderId, cause)));
  }
}

/** Notifications' work: the confirmation mail, from the real template into the mail sink (D1). */
export class NotificationsHop extends Hop {
  protected readonly service = 'notifications';

  confirm(confirmed: EventOf<'order.confirmed'>) {
    return this.call(async () => {
      const mail = mailFor(confirmed);
      if (mail) await mailerFor({ DB: this.env.MAIL_DB }).send(`mail_${confirmed.id}`, mail);
      return done(mail?.subject ?? null);
    });
  }
}
