import { DomainError } from '../../shared/errors';
import type { OrderLine } from '../../shared/events';

export interface Price {
  name: string;
  priceCents: number;
  currency: string;
}

/**
 * Prices the requested items from the catalog (never from the client): lines for the same SKU
 * are merged, an unknown SKU or a mix of currencies is refused.
 */
export function price(requested: { sku: string; quantity: number }[], catalog: ReadonlyMap<string, Price>) {
  const quantities = new Map<string, number>();
  for (const { sku, quantity } of requested) quantities.set(sku, (quantities.get(sku) ?? 0) + quantity);

  const unknown = [...quantities.keys()].filter((sku) => !catalog.has(sku));
  if (unknown.length > 0) {
    throw new DomainError('unknown_sku', `unknown SKU: ${unknown.join(', ')}`);
  }
  const items: OrderLine[] = [...quantities].map(([sku, quantity]) => {
    const { name, priceCents } = catalog.get(sku)!;
    return { sku, name, quantity, unitPriceCents: priceCents };
  });
  const currencies = new Set(items.map((i) => catalog.get(i.sku)!.currency));
  if (currencies.size > 1) {
    throw new DomainError('mixed_currencies', 'all items of an order must share one currency');
  }
  const totalCents = items.reduce((sum, i) => sum + i.unitPriceCents * i.quantity, 0);
  return { items, totalCents, currency: [...currencies][0]! };
}
