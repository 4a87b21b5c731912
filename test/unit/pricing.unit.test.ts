import { describe, expect, it } from 'vitest';
import { price } from '../../workers/orders/pricing';

const catalog = new Map([
  ['TSHIRT', { name: 'T-shirt', priceCents: 1900, currency: 'EUR' }],
  ['MUG', { name: 'Mug', priceCents: 1100, currency: 'EUR' }],
  ['HAT', { name: 'Hat', priceCents: 2000, currency: 'USD' }],
]);

describe('pricing', () => {
  it('prices every line from the catalog and totals them', () => {
    const priced = price(
      [
        { sku: 'TSHIRT', quantity: 2 },
        { sku: 'MUG', quantity: 1 },
      ],
      catalog,
    );
    expect(priced).toEqual({
      items: [
        { sku: 'TSHIRT', name: 'T-shirt', quantity: 2, unitPriceCents: 1900 },
        { sku: 'MUG', name: 'Mug', quantity: 1, unitPriceCents: 1100 },
      ],
      totalCents: 4900,
      currency: 'EUR',
    });
  });

  it('merges lines for the same SKU', () => {
    const priced = price(
      [
        { sku: 'MUG', quantity: 1 },
        { sku: 'MUG', quantity: 2 },
      ],
      catalog,
    );
    expect(priced.items).toEqual([{ sku: 'MUG', name: 'Mug', quantity: 3, unitPriceCents: 1100 }]);
  });

  it('refuses unknown SKUs with 422 unknown_sku, naming them', () => {
    expect(() => price([{ sku: 'NOPE', quantity: 1 }], catalog)).toThrow(
      expect.objectContaining({ code: 'unknown_sku', status: 422, message: 'unknown SKU: NOPE' }),
    );
  });

  it('refuses a mix of currencies', () => {
    expect(() =>
      price(
        [
          { sku: 'MUG', quantity: 1 },
          { sku: 'HAT', quantity: 1 },
        ],
        catalog,
      ),
    ).toThrow(expect.objectContaining({ code: 'mixed_currencies', status: 422 }));
  });
});
