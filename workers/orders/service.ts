import { WorkerEntrypoint } from 'cloudflare:workers';
import { PlaceOrderInput } from '../../shared/api';
import { AppError, type Reply, reply, unwrap } from '../../shared/errors';
import type { OrderSnapshot } from '../../shared/events';
import type { OrdersRpc } from '../../shared/rpc';
import { readPrices } from './catalog';
import { price } from './pricing';

/** The orders service as the gateway calls it (RPC over a service binding). */
export class OrdersService extends WorkerEntrypoint<Env> implements OrdersRpc {
  /** Prices the order from the catalog replica and places it; answers the pending order. */
  async placeOrder(customerId: string, input: PlaceOrderInput, traceparent: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => {
      const parsed = PlaceOrderInput.safeParse(input);
      if (!parsed.success) throw new AppError({ code: 'invalid_request', message: parsed.error.message, status: 400 });
      const request = parsed.data;
      const catalog = await readPrices(
        this.env.DB,
        request.items.map((i) => i.sku),
      );
      const priced = price(request.items, catalog);
      const id = crypto.randomUUID();
      const placed = await this.env.ORDER_DO.getByName(id).place(
        {
          type: 'PlaceOrder',
          data: { id, customerId, ...priced, shippingAddress: request.shippingAddress, paymentToken: request.payment.token },
        },
        traceparent,
      );
      return unwrap(placed);
    });
  }

  /** The order as its Durable Object holds it now (strongly consistent). */
  async getOrder(orderId: string): Promise<Reply<OrderSnapshot>> {
    return reply(async () => {
      const order = await this.env.ORDER_DO.getByName(orderId).read();
      if (!order) throw new AppError({ code: 'order_not_found', message: 'no such order', status: 404 });
      return order;
    });
  }
}
