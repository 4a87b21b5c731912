import type { DataOf, Event, EventType } from '../../shared/events';
import { makeEvent } from './events';
import { makeOrder } from './fixtures';

/** One valid event of every type; the `satisfies` makes a new event type fail to compile here until it has a sample. */
export function sampleEvents(): Event[] {
  const { payment, ...order } = makeOrder();
  const orderId = order.id;
  const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
  const pay = { orderId, paymentId: `pay_${orderId}`, amountCents: order.totalCents, currency: order.currency };
  const shipment = { orderId, shipmentId: `shp_${orderId}` };
  const data = {
    'order.placed': { ...order, payment },
    'order.confirmed': { ...order, status: 'confirmed', version: 4 },
    'order.cancellation_requested': { ...order, status: 'confirmed', cancellation: 'requested', version: 5 },
    'order.cancelled': { ...order, status: 'cancelled', cancelReason: 'payment_declined', version: 3 },
    'order.flagged': { ...order, status: 'confirmed', exception: 'overdue', steps: ['capture'], version: 7 },
    'order.shipped': { ...order, status: 'shipped', version: 5 },
    'order.delivered': { ...order, status: 'delivered', version: 6 },
    'inventory.reserved': { orderId, items },
    'inventory.rejected': { orderId, items, reason: 'out_of_stock', skus: [items[0]!.sku] },
    'inventory.released': { orderId, items },
    'inventory.committed': { orderId, items },
    'product.upserted': { sku: 'TSHIRT', name: 'T-shirt', priceCents: 1900, currency: 'EUR', stock: 5, available: 5, version: 1 },
    'payment.authorized': pay,
    'payment.declined': { ...pay, reason: 'card_declined' },
    'payment.captured': pay,
    'payment.voided': pay,
    'payment.refunded': pay,
    'shipment.created': shipment,
    'shipment.dispatched': { ...shipment, trackingNumber: 'TRK-1' },
    'shipment.delivered': shipment,
    'shipment.cancelled': shipment,
    'shipment.cancel_refused': { ...shipment, status: 'dispatched' },
    'shipment.exception': { ...shipment, reason: 'dispatched_after_cancellation', carrierStatus: 'dispatched' },
    'notification.sent': { orderId, channel: 'email', to: order.customerId, subject: 'Hello' },
    'customer.erased': { customerId: order.customerId, erasedAt: order.placedAt, orders: 1 },
  } satisfies { [T in EventType]: DataOf<T> };
  return Object.entries(data).map(([type, d]) => makeEvent(type as EventType, d as never));
}
