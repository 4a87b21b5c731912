import type { OrderSnapshot, ProductSnapshot, ShippingAddress } from '../../shared/events';
import type { Cause } from '../../shared/publish';
import { type Sealed, toBase64Url } from '../../shared/sealed';
import type { OrderCommand } from '../../workers/orders/order';

type PlaceOrderData = Extract<OrderCommand, { type: 'PlaceOrder' }>['data'];

/** A shipping address as a checkout sends it (in the clear). */
export const address: ShippingAddress = { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' };

/**
 * A value in the sealed shape that no key opens. Events made by these fixtures carry these, so they
 * pass the schemas; a test that needs a value opened seals it for real (test/helpers/sealing.ts).
 */
export function placeholderSealed(label: string): Sealed {
  return { v: 1, kid: 'placeholder', iv: 'AAAAAAAAAAAAAAAA', ct: toBase64Url(new TextEncoder().encode(`not sealed: ${label}`)) };
}

/** An order as order.placed carries it (personal data and token sealed, by placeholders); override any field. */
export function makeOrder(overrides: Partial<OrderSnapshot & { payment: { token: Sealed } }> = {}) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    customerId: 'cust_1',
    status: 'pending' as const,
    items: [{ sku: 'TSHIRT', name: 'T-shirt', quantity: 2, unitPriceCents: 1900 }],
    totalCents: 3800,
    currency: 'EUR',
    shippingAddress: placeholderSealed('shippingAddress'),
    version: 1,
    placedAt: now,
    updatedAt: now,
    payment: { token: placeholderSealed('payment.token') },
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

/** What an order's Durable Object hears, in order, from the services on the way to a confirmed order whose saga is over. */
export const CONFIRMING_FACTS = [
  'inventory.reserved',
  'payment.authorized',
  'shipment.created',
  'payment.captured',
  'inventory.committed',
] as const;

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
  return { items: [{ sku, quantity }], shippingAddress: address, payment: { token: card } };
}
