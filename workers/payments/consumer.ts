import type { Handlers } from '../../shared/consume';

/** What payments does with each order event; the PaymentDO of the order makes each step idempotent. */
export function handlers(env: Env): Handlers {
  const payment = (orderId: string) => env.PAYMENT_DO.getByName(orderId);
  return {
    'order.placed': async (e) => void (await payment(e.data.id).authorize(e.data, e)),
    'order.confirmed': async (e) => void (await payment(e.data.id).capture(e.data, e)),
    'order.cancelled': async (e) => void (await payment(e.data.id).compensate(e.data, e)),
  };
}
