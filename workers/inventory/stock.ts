/** Units of one SKU: what is on hand and how much of it is held for orders not yet confirmed. */
export interface Stock {
  onHand: number;
  reserved: number;
}

/** Units that can still be promised; never below zero, even when stock is set below what is held. */
export function available(stock: Stock): number {
  return Math.max(0, stock.onHand - stock.reserved);
}

/** Holds `quantity` units, or answers null when fewer are available. */
export function reserve(stock: Stock, quantity: number): Stock | null {
  if (quantity <= 0 || quantity > available(stock)) return null;
  return { ...stock, reserved: stock.reserved + quantity };
}

/** Gives held units back. */
export function release(stock: Stock, quantity: number): Stock {
  return { ...stock, reserved: Math.max(0, stock.reserved - quantity) };
}

/** Turns held units into sold ones: they leave both the hold and the shelf. */
export function commit(stock: Stock, quantity: number): Stock {
  return { onHand: Math.max(0, stock.onHand - quantity), reserved: Math.max(0, stock.reserved - quantity) };
}

/** Sets what is on hand absolutely (a stock count); holds stay. */
export function recount(stock: Stock, onHand: number): Stock {
  return { ...stock, onHand };
}

/** Puts sold units back on the shelf (an order cancelled after it was confirmed). */
export function restock(stock: Stock, quantity: number): Stock {
  return { ...stock, onHand: stock.onHand + quantity };
}
