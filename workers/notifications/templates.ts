import type { OrderEvent } from '../../shared/events';

export interface Mail {
  orderId: string;
  to: string;
  subject: string;
  body: string;
}

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

const reasons = {
  payment_declined: 'your payment was declined',
  out_of_stock: 'an item is out of stock',
  timeout: 'we could not complete it in time',
  customer_request: 'you asked us to',
} as const;

/** The message a customer gets for an order event, if any. */
export function mailFor(event: OrderEvent): Mail | null {
  const order = event.data;
  const to = order.customerId;
  const short = order.id.slice(0, 8);
  if (event.type === 'order.placed') return null;
  if (event.type === 'order.shipped') {
    const tracking = order.trackingNumber ? ` Tracking number: ${order.trackingNumber}.` : '';
    return {
      orderId: order.id,
      to,
      subject: `Order ${short} is on its way`,
      body: `Your order has left our warehouse.${tracking}`,
    };
  }
  if (event.type === 'order.delivered') {
    return { orderId: order.id, to, subject: `Order ${short} delivered`, body: 'Your order was delivered. Enjoy!' };
  }
  if (event.type === 'order.confirmed') {
    const lines = order.items.map((i) => `${i.quantity} × ${i.name}`).join('\n');
    return {
      orderId: order.id,
      to,
      subject: `Order ${short} confirmed`,
      body: `Thank you! We are preparing your order:\n${lines}\nTotal: ${money(order.totalCents, order.currency)}`,
    };
  }
  // A cancellation request is answered by its outcome (cancelled, or the parcel's dispatch); a flag is for operators.
  if (event.type !== 'order.cancelled') return null;
  return {
    orderId: order.id,
    to,
    subject: `Order ${short} cancelled`,
    body: `Your order was cancelled because ${reasons[event.data.cancelReason]}. Any payment is returned in full.`,
  };
}
