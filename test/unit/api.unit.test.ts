import { describe, expect, it } from 'vitest';
import { PlaceOrderInput } from '../../shared/api';

const order = {
  items: [{ sku: 'MUG-350', quantity: 1 }],
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
  payment: { token: 'tok_visa' },
};

describe('an order as the checkout sends it', () => {
  it("carries the customer's e-mail when given, and may go without", () => {
    expect(PlaceOrderInput.parse({ ...order, email: 'ada@example.com' })).toMatchObject({ email: 'ada@example.com' });
    expect(PlaceOrderInput.parse(order)).not.toHaveProperty('email');
  });

  it('refuses an address that is not one, naming the field', () => {
    const parsed = PlaceOrderInput.safeParse({ ...order, email: 'ada at example' });
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['email']);
  });
});
