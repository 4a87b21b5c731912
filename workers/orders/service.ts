import { WorkerEntrypoint } from 'cloudflare:workers';
import { PlaceOrderInput } from '../../shared/api';
import { AppError, type Reply, reply, unwrap } from '../../shared/errors';
import type { OrderSnapshot } from '../../shared/events';
import { deterministicId, sha256 } from '../../shared/ids';
import type { OrdersRpc, PlacedOrder } from '../../shared/rpc';
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
  ): Promise<Reply<PlacedOrder>> {
    return reply(async () => {
      const parsed = PlaceOrderInput.safeParse(input);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      const request = parsed.data;
      const id = idempotencyKey ? await deterministicId(`${customerId}\n${idempotencyKey}`) : crypto.randomUUID();
      const stub = this.env.ORDER_DO.getByName(id);
      const fingerprint = idempotencyKey ? await sha256(JSON.stringify(request)) : undefined;

      if (fingerprint) {
        const start = await stub.start(fingerprint);
        if (start.kind === 'mismatch') {
          throw new AppError({
            code: 'idempotency_key_reused',
            message: 'this Idempotency-Key was used with another body',
            status: 422,
          });
        }
        if (start.kind === 'in_flight') {
          throw new AppError({
            code: 'idempotency_in_flight',
            message: 'a request with this Idempotency-Key is still in progress',
            status: 409,
          });
        }
        if (start.kind === 'replay') return { order: JSON.parse(start.body) as OrderSnapshot, replayed: true };
      }

      let priced: ReturnType<typeof price>;
      try {
        priced = price(
          request.items,
          await readPrices(
            this.env.DB,
            request.items.map((i) => i.sku),
          ),
        );
      } catch (error) {
        if (fingerprint) await stub.release(fingerprint);
        throw error;
      }
      const placed = await stub.place(
        {
          type: 'PlaceOrder',
          data: { id, customerId, ...priced, shippingAddress: request.shippingAddress, paymentToken: request.payment.token },
        },
        traceparent,
        fingerprint,
      );
      return { order: unwrap(placed), replayed: false };
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

  /** The customer's cancel; `409 not_cancellable` once the order is shipped. */
  async cancelOrder(orderId: string, traceparent: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => {
      const stub = this.env.ORDER_DO.getByName(orderId);
      if (!(await stub.read())) throw notFound();
      return unwrap(await stub.cancel(traceparent));
    });
  }
}
