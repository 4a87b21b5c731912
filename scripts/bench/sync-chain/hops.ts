import { WorkerEntrypoint } from 'cloudflare:workers';
import { DomainError } from '../../../shared/errors';
import type { EventOf, OrderSnapshot } from '../../../shared/events';
import { openPersonal, type VaultRpc } from '../../../shared/personal-data';
import type { Cause } from '../../../shared/publish';
import { simulateFaults } from '../../../shared/simulated-faults';
import { mergeLines, reservationOutcome } from '../../../workers/inventory/stock';
import { Stockroom } from '../../../workers/inventory/stockroom';
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

type Line = { sku: string; quantity: number };

/** One service of the chain: each call pays the service's simulated faults, then does its work. */
abstract class Hop extends WorkerEntrypoint<Env> {
  protected abstract readonly service: HopName;

  protected async call<T>(work: () => Promise<T>): Promise<T> {
    await simulateFaults(this.service, syncChainConfig(this.env).faultsOf(this.service));
    return work();
  }
}

/**
 * Inventory's work for one order, with its own code (`Stockroom` over the InventoryDOs of each SKU
 * and its buckets, the all-or-nothing `reservationOutcome`): price the lines from the catalog, then
 * hold them all or none.
 */
export class InventoryHop extends Hop {
  protected readonly service = 'inventory';

  reserve(order: { id: string; items: Line[]; placedAt: string }) {
    return this.call(async () => {
      const stock = new Stockroom(this.env);
      const items = mergeLines(order.items);
      const products = await Promise.all(items.map((i) => stock.read(i.sku)));
      const catalog = new Map(products.flatMap((p) => (p ? [[p.sku, p] as const] : [])));
      let priced: ReturnType<typeof price>;
      try {
        priced = price(items, catalog);
      } catch (error) {
        if (error instanceof DomainError && (error.code === 'unknown_sku' || error.code === 'mixed_currencies')) {
          return refuse(error.code, error.message);
        }
        throw error;
      }
      await stock.splits(items.map((i) => i.sku));
      const holds = await Promise.all(items.map((i) => stock.reserve(order.id, i, order.placedAt)));
      const outcome = reservationOutcome(
        items,
        holds.map((h) => h.status),
      );
      if (!outcome) throw new Error(`order ${order.id} is too old to hold stock for`);
      if (outcome.answer === 'inventory.reserved') return done(priced);
      await Promise.all(holds.filter((h) => h.status === 'held').map((h) => stock.undo(order.id, h)));
      return refuse('out_of_stock', `not enough stock of ${outcome.short.join(', ')}`);
    });
  }

  /** Gives the order's lines back, as on order.cancelled: a later hop failed. */
  release(orderId: string, items: Line[]) {
    return this.call(async () => {
      const stock = new Stockroom(this.env);
      return done((await Promise.all(mergeLines(items).map((i) => stock.release(orderId, i)))).map((h) => h.status));
    });
  }
}

/** Payments' work: open the sealed token and authorize with the provider (the sandbox here), through the order's PaymentDO and its decider. */
export class PaymentsHop extends Hop {
  protected readonly service = 'payments';

  authorize(order: EventOf<'order.placed'>['data'], cause: Cause) {
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

/** Shipping's work: create the order's shipment (ShipmentDO and its decider), its address opened through the vault. */
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

/**
 * Notifications' work, as its consumer does it for order.confirmed: the mail from the real
 * template, the customer's e-mail opened through the vault, into the mail sink (D1). Webhook
 * deliveries are left out: the bench subscribes none.
 */
export class NotificationsHop extends Hop {
  protected readonly service = 'notifications';

  confirm(confirmed: EventOf<'order.confirmed'>) {
    return this.call(async () => {
      const mail = mailFor(confirmed);
      if (!mail) return done(null);
      const { email, personalData } = await openPersonal(this.env.VAULT as unknown as Service<VaultRpc>, confirmed.data);
      if (personalData === 'erased') return done(null);
      await mailerFor({ DB: this.env.MAIL_DB }).send(`mail_${confirmed.id}`, email ? { ...mail, email } : mail);
      return done(mail.subject);
    });
  }
}
