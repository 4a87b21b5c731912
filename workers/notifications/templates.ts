import type { EventOf } from '../../shared/events';

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

/** The message a customer gets for an order event. */
export function mailFor(event: EventOf<'order.confirmed' | 'order.cancelled'>): Mail {
  const order = event.data;
  const to = order.customerId;
  if (event.type === 'order.confirmed') {
    const lines = order.items.map((i) => `${i.quantity} × ${i.name}`).join('\n');
    return {
      orderId: order.id,
      to,
      subject: `Order ${order.id.slice(0, 8)} confirmed`,
      body: `Thank you! We are preparing your order:\n${lines}\nTotal: ${money(order.totalCents, order.currency)}`,
    };
  }
  return {
    orderId: order.id,
    to,
    subject: `Order ${order.id.slice(0, 8)} cancelled`,
    body: `Your order was cancelled because ${reasons[event.data.cancelReason]}. You have not been charged.`,
  };
}
