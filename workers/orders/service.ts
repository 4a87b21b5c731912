import { WorkerEntrypoint } from 'cloudflare:workers';
import { PlaceOrderInput } from '../../shared/api';
import { AppError, type Reply, reply, unwrap } from '../../shared/errors';
import type { OrderSnapshot } from '../../shared/events';
import { deterministicId, sha256 } from '../../shared/ids';
import type { OrdersRpc, PlaceOrderAnswer } from '../../shared/rpc';
import { readPrices } from './catalog';
import { price } from './pricing';

const notFound = () => new AppError({ code: 'order_not_found', message: 'no such order', status: 404 });

/** The orders service as the gateway calls it (RPC over a service binding). */
export class OrdersService extends WorkerEntrypoint<Env> implements OrdersRpc {
  /**
   * Prices the order from the catalog replica and places it; answers the pending order. With an
   * idempotency key the order id is derived from customer and key, so its Durable Object holds the
   * key's record: a retry gets the first answer, never a second order.
   */
  async placeOrder(
    customerId: string,
    input: PlaceOrderInput,
    traceparent: string,
    idempotencyKey?: string,
  ): Promise<Reply<PlaceOrderAnswer>> {
    return reply(async () => {
      const parsed = PlaceOrderInput.safeParse(input);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      const request = parsed.data;
      const id = idempotencyKey ? await deterministicId(`${customerId}\n${idempotencyKey}`) : crypto.randomUUID();
      const fingerprint = idempotencyKey ? await sha256(JSON.stringify(request)) : undefined;
      // Priced first: a refused order never touches (and so never creates) a Durable Object. Then one
      // call checks the key, places and records the answer in one transaction.
      const prices = await readPrices(
        this.env.DB,
        request.items.map((i) => i.sku),
      );
      const priced = price(request.items, prices);
      const command = {
        type: 'PlaceOrder' as const,
        data: {
          id,
          customerId,
          ...(request.email ? { email: request.email } : {}),
          ...priced,
          shippingAddress: request.shippingAddress,
          paymentToken: request.payment.token,
        },
      };
      const stub = this.env.ORDER_DO.getByName(id);
      return unwrap(await stub.place(command, traceparent, fingerprint ? { fingerprint } : undefined));
    });
  }

  /** The order with the steps it still waits for, for operators. */
  async inspectOrder(orderId: string) {
    return reply(async () => {
      const order = await this.env.ORDER_DO.getByName(orderId).inspect();
      if (!order) throw notFound();
      return order;
    });
  }

  /** The order as its Durable Object holds it now (strongly consistent). */
  async getOrder(orderId: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => {
      const order = await this.env.ORDER_DO.getByName(orderId).read();
      if (!order) throw notFound();
      return order;
    });
  }

  /**
   * The customer's cancel: a pending order is cancelled, a confirmed one has its cancellation
   * requested of shipping; `409 not_cancellable` once the parcel has left.
   */
  async cancelOrder(orderId: string, traceparent: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => {
      const stub = this.env.ORDER_DO.getByName(orderId);
      if (!(await stub.read())) throw notFound();
      return unwrap(await stub.cancel(traceparent));
    });
  }
}
