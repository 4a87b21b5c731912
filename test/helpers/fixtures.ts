import type { OrderSnapshot } from '../../shared/events';
import type { Cause } from '../../shared/publish';

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
