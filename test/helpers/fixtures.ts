import type { OrderSnapshot, ProductSnapshot } from '../../shared/events';
import type { Cause } from '../../shared/publish';
import type { OrderCommand } from '../../workers/orders/order';

type PlaceOrderData = Extract<OrderCommand, { type: 'PlaceOrder' }>['data'];

/** An order as order.placed carries it; override any field. */
export function makeOrder(overrides: Partial<OrderSnapshot & { payment: { token: string } }> = {}) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    customerId: 'cust_1',
    status: 'pending' as const,
    items: [{ sku: 'TSHIRT', name: 'T-shirt', quantity: 2, unitPriceCents: 1900 }],
    totalCents: 3800,
    currency: 'EUR',
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
    version: 1,
    placedAt: now,
    updatedAt: now,
    payment: { token: 'tok_visa' },
    ...overrides,
  };
}

export function makeCause(overrides: Partial<Cause> = {}): Cause {
  return {
    id: crypto.randomUUID(),
    correlationId: crypto.randomUUID(),
    traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
    ...overrides,
  };
}

export const traceparent = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;

/** The command the orders service gives a new OrderDO; override any field of its data. */
export function makePlaceOrder(overrides: Partial<PlaceOrderData> = {}): { type: 'PlaceOrder'; data: PlaceOrderData } {
  const { payment, ...order } = makeOrder();
  return {
    type: 'PlaceOrder',
    data: {
      id: order.id,
      customerId: order.customerId,
      items: order.items,
      totalCents: order.totalCents,
      currency: order.currency,
      shippingAddress: order.shippingAddress,
      paymentToken: payment.token,
      ...overrides,
    },
  };
}

/** A product as product.upserted carries it; override any field. */
export function makeProduct(overrides: Partial<ProductSnapshot> = {}): ProductSnapshot {
  return { sku: 'TSHIRT', name: 'T-shirt', priceCents: 1900, currency: 'EUR', stock: 9, available: 9, version: 1, ...overrides };
}

/** The body of POST /v1/orders for one line. */
export function makeOrderInput(sku: string, quantity = 1, card = 'tok_visa') {
  const { shippingAddress } = makeOrder();
  return { items: [{ sku, quantity }], shippingAddress, payment: { token: card } };
}
