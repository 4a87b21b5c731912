import { WorkerEntrypoint } from 'cloudflare:workers';
import { PlaceOrderInput } from '../../shared/api';
import { AppError, type Reply, reply, unwrap } from '../../shared/errors';
import type { OrderSnapshot, OrderStatus } from '../../shared/events';
import { deterministicId, sha256 } from '../../shared/ids';
import { type OrderView, openPersonal, sealPaymentToken, sealPersonal, type VaultRpc, viewOf } from '../../shared/personal-data';
import type { OrdersRpc, PlaceOrderAnswer } from '../../shared/rpc';
import { readPrices } from './catalog';
import { ordersConfig } from './config';
import { price } from './pricing';

const notFound = () => new AppError({ code: 'order_not_found', message: 'no such order', status: 404 });

/** The orders service as the gateway calls it (RPC over a service binding). */
export class OrdersService extends WorkerEntrypoint<Env> implements OrdersRpc {
  /**
   * Prices the order from the catalog replica, seals its personal data (with the customer's key, in
   * the vault) and its payment token (for payments), and places it; answers the pending order. With
   * an idempotency key the order id is derived from customer and key, so its Durable Object holds the
   * key's record: a retry gets the first answer, never a second order.
   */
  async placeOrder(
    customerId: string,
    input: PlaceOrderInput,
    traceparent: string,
    idempotencyKey?: string,
  ): Promise<Reply<PlaceOrderAnswer>> {
    return reply(async () => {
      const { PAYMENT_TOKEN_KEYS: tokenKeys } = ordersConfig(this.env);
      const parsed = PlaceOrderInput.safeParse(input);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      const request = parsed.data;
      const id = idempotencyKey ? await deterministicId(`${customerId}\n${idempotencyKey}`) : crypto.randomUUID();
      const fingerprint = idempotencyKey ? await sha256(JSON.stringify(request)) : undefined;
      // Priced first: a refused order never touches (and so never creates) a Durable Object, nor a key.
      const prices = await readPrices(
        this.env.DB,
        request.items.map((i) => i.sku),
      );
      const priced = price(request.items, prices);
      // Sealed right before placing: the vault counts an order sealed moments ago as one being placed.
      const personal = { shippingAddress: request.shippingAddress, ...(request.email ? { email: request.email } : {}) };
      const sealed = await sealPersonal(this.vault, { id, customerId }, personal);
      const command = {
        type: 'PlaceOrder' as const,
        data: {
          id,
          customerId,
          ...(sealed.email ? { email: sealed.email } : {}),
          ...priced,
          shippingAddress: sealed.shippingAddress,
          paymentToken: await sealPaymentToken(tokenKeys, request.payment.token, { id, customerId }),
        },
      };
      const stub = this.env.ORDER_DO.getByName(id);
      const answer = unwrap(await stub.place(command, traceparent, fingerprint ? { fingerprint } : undefined));
      // A first answer shows what the customer just sent; a replayed one opens what was recorded.
      const shown = answer.replayed ? await this.view(answer.order) : viewOf(answer.order, personal);
      return { order: shown, replayed: answer.replayed };
    });
  }

  /** The order with the steps it still waits for, for operators. */
  async inspectOrder(orderId: string) {
    return reply(async () => {
      const order = await this.env.ORDER_DO.getByName(orderId).inspect();
      if (!order) throw notFound();
      return viewOf(order, await openPersonal(this.vault, order));
    });
  }

  /** The order as its Durable Object holds it now (strongly consistent), its personal data opened. */
  async getOrder(orderId: string): Promise<Reply<OrderView>> {
    return reply(async () => {
      const order = await this.env.ORDER_DO.getByName(orderId).read();
      if (!order) throw notFound();
      return this.view(order);
    });
  }

  /**
   * The customer's cancel: a pending order is cancelled, a confirmed one has its cancellation
   * requested of shipping; `409 not_cancellable` once the parcel has left.
   */
  async cancelOrder(orderId: string, traceparent: string): Promise<Reply<OrderView>> {
    return reply(async () => {
      const stub = this.env.ORDER_DO.getByName(orderId);
      if (!(await stub.read())) throw notFound();
      return this.view(unwrap(await stub.cancel(traceparent)));
    });
  }

  /**
   * Each order's status now, from its Durable Object (null: never placed): what erasing a customer
   * checks first, since an order not yet shipped or cancelled still needs its address.
   */
  async orderStatuses(orderIds: string[]): Promise<Reply<Record<string, OrderStatus | null>>> {
    return reply(async () => {
      const reads = await Promise.all(orderIds.map((id) => this.env.ORDER_DO.getByName(id).read()));
      return Object.fromEntries(orderIds.map((id, i) => [id, reads[i]?.status ?? null]));
    });
  }

  /** The order as its customer sees it: its personal data opened by the vault, or marked erased. */
  private async view(order: OrderSnapshot): Promise<OrderView> {
    return viewOf(order, await openPersonal(this.vault, order));
  }

  private get vault() {
    return this.env.VAULT as unknown as Service<VaultRpc>;
  }
}
