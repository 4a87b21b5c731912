import type { Decider } from '../../shared/decider';

/** Units of one SKU: what is on hand (held units included) and how much of it is held for orders. */
export interface Stock {
  onHand: number;
  reserved: number;
}

/**
 * Where one order's hold on a SKU stands. held → committed → returned, held → released,
 * held → expired; `rejected` never held (too few units), `barred` never held because the order
 * was cancelled first (a later reserve is refused).
 */
export type HoldStatus = 'held' | 'committed' | 'returned' | 'released' | 'expired' | 'rejected' | 'barred';

export interface Hold {
  orderId: string;
  quantity: number;
  status: HoldStatus;
  /** When a live hold expires (epoch ms). */
  expiresAt: number;
}

/** The decider's view: the SKU's stock (null: no such product) and one order's hold on it. */
export interface SkuState {
  stock: Stock | null;
  hold: Hold | null;
}

export type StockMessage =
  /** order.placed: hold the units. A reserve for an order placed longer ago than `maxAgeMs` is ignored. */
  | { type: 'Reserve'; orderId: string; quantity: number; ttlMs: number; placedAt: string; maxAgeMs: number }
  /** The order could not be held whole: give back this part of it (never a sale). */
  | { type: 'Undo'; orderId: string }
  /** order.cancelled: give back whatever the order holds or bought; bar a hold that has not come yet. */
  | { type: 'Release'; orderId: string; quantity: number }
  /** order.confirmed: the hold becomes a sale. */
  | { type: 'Commit'; orderId: string; quantity: number }
  /** The alarm: a hold past its time is freed. */
  | { type: 'Expire'; orderId: string }
  /** A stock count: on hand is set absolutely; holds stay. */
  | { type: 'Recount'; onHand: number };

export type StockEvent =
  | { type: 'Held'; orderId: string; quantity: number; expiresAt: number }
  | { type: 'Rejected'; orderId: string; quantity: number }
  | { type: 'Barred'; orderId: string; quantity: number }
  | { type: 'Released'; orderId: string; quantity: number }
  | { type: 'Expired'; orderId: string; quantity: number }
  | { type: 'Committed'; orderId: string; quantity: number }
  | { type: 'Returned'; orderId: string; quantity: number }
  | { type: 'Recounted'; onHand: number };

/** Units that can still be promised; never below zero, even when stock is set below what is held. */
export function available(stock: Stock): number {
  return Math.max(0, stock.onHand - stock.reserved);
}

/**
 * What a message does to a SKU and one order's hold on it; pure. A hold, once settled, answers
 * the same to every later message: a replayed order.placed never holds again, a late release
 * never returns units that were not sold, and a sale is never undone by the all-or-nothing path.
 */
export function decide(message: StockMessage, state: SkuState, now: Date): StockEvent[] {
  const { stock, hold } = state;
  switch (message.type) {
    case 'Reserve': {
      const { orderId, quantity } = message;
      if (hold) return [];
      if (now.getTime() - Date.parse(message.placedAt) > message.maxAgeMs) return [];
      if (!stock || quantity <= 0 || quantity > available(stock)) return [{ type: 'Rejected', orderId, quantity }];
      return [{ type: 'Held', orderId, quantity, expiresAt: now.getTime() + message.ttlMs }];
    }
    case 'Undo':
      return hold?.status === 'held' ? [{ type: 'Released', orderId: hold.orderId, quantity: hold.quantity }] : [];
    case 'Release': {
      if (!hold) return [{ type: 'Barred', orderId: message.orderId, quantity: message.quantity }];
      if (hold.status === 'held') return [{ type: 'Released', orderId: hold.orderId, quantity: hold.quantity }];
      if (hold.status === 'committed') return [{ type: 'Returned', orderId: hold.orderId, quantity: hold.quantity }];
      return [];
    }
    case 'Commit': {
      if (!hold) return [];
      const sale: StockEvent = { type: 'Committed', orderId: hold.orderId, quantity: hold.quantity };
      if (hold.status === 'held') return [sale];
      // A confirmation that came after its hold expired takes the units again, if they are still there.
      if (hold.status === 'expired' && stock && available(stock) >= hold.quantity) return [sale];
      return [];
    }
    case 'Expire':
      return hold?.status === 'held' && hold.expiresAt <= now.getTime()
        ? [{ type: 'Expired', orderId: hold.orderId, quantity: hold.quantity }]
        : [];
    case 'Recount':
      return [{ type: 'Recounted', onHand: Math.max(0, message.onHand) }];
    default: {
      const _exhaustive: never = message;
      return _exhaustive;
    }
  }
}

/** Applies one event; pure. */
export function evolve(state: SkuState, event: StockEvent): SkuState {
  const stock = state.stock ?? { onHand: 0, reserved: 0 };
  const hold = (status: HoldStatus, extra: Partial<Hold> = {}): Hold => ({
    orderId: (event as { orderId: string }).orderId,
    quantity: (event as { quantity: number }).quantity,
    expiresAt: state.hold?.expiresAt ?? 0,
    ...state.hold,
    status,
    ...extra,
  });
  switch (event.type) {
    case 'Held':
      return {
        stock: { ...stock, reserved: stock.reserved + event.quantity },
        hold: hold('held', { expiresAt: event.expiresAt }),
      };
    case 'Rejected':
      return { stock: state.stock, hold: hold('rejected') };
    case 'Barred':
      return { stock: state.stock, hold: hold('barred') };
    case 'Released':
      return { stock: { ...stock, reserved: Math.max(0, stock.reserved - event.quantity) }, hold: hold('released') };
    case 'Expired':
      return { stock: { ...stock, reserved: Math.max(0, stock.reserved - event.quantity) }, hold: hold('expired') };
    case 'Committed': {
      // From a live hold the units leave hold and shelf; from an expired one only the shelf.
      const wasHeld = state.hold?.status === 'held';
      const reserved = wasHeld ? Math.max(0, stock.reserved - event.quantity) : stock.reserved;
      return { stock: { onHand: stock.onHand - event.quantity, reserved }, hold: hold('committed') };
    }
    case 'Returned':
      return { stock: { ...stock, onHand: stock.onHand + event.quantity }, hold: hold('returned') };
    case 'Recounted':
      return { ...state, stock: { ...stock, onHand: event.onHand } };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** One SKU's stock as a decider (see shared/decider.ts). */
export const sku: Decider<StockMessage, SkuState, StockEvent> = {
  initialState: { stock: null, hold: null },
  decide,
  evolve,
};

/** A hold that exists or existed: the order's units were held at some point. */
const wasHeld = (status: HoldStatus | null) => status !== null && status !== 'rejected' && status !== 'barred';

type Line = { sku: string; quantity: number };

/**
 * What inventory answers to order.placed, from the hold of each line after reserving: reserved
 * when every line is or was held (a replay re-announces it), else rejected, undoing the lines held
 * now. All or nothing, and never by giving back a sale.
 */
export function reservationOutcome(
  lines: readonly Line[],
  holds: readonly (HoldStatus | null)[],
): { answer: 'inventory.reserved' } | { answer: 'inventory.rejected'; short: string[]; undo: Line[] } | null {
  if (holds.some((h) => h === null)) return null;
  if (holds.every(wasHeld)) return { answer: 'inventory.reserved' };
  return {
    answer: 'inventory.rejected',
    short: lines.filter((_, k) => !wasHeld(holds[k]!)).map((l) => l.sku),
    undo: lines.filter((_, k) => holds[k] === 'held'),
  };
}

/**
 * What inventory answers to order.cancelled, from each line's hold after releasing: released,
 * naming the lines whose units came back; or, when the order never held a unit, rejected.
 */
export function releaseOutcome(
  lines: readonly Line[],
  holds: readonly (HoldStatus | null)[],
):
  | { answer: 'inventory.released'; items: Line[] }
  | { answer: 'inventory.rejected'; reason: 'out_of_stock' | 'order_cancelled'; skus: string[] } {
  const back = lines.filter((_, k) => ['released', 'returned', 'expired'].includes(holds[k] ?? ''));
  if (back.length > 0) return { answer: 'inventory.released', items: back };
  const reason = holds.includes('rejected') ? 'out_of_stock' : 'order_cancelled';
  return { answer: 'inventory.rejected', reason, skus: lines.map((l) => l.sku) };
}

/** What inventory answers to order.confirmed: committed once every line is sold. */
export function commitOutcome(holds: readonly (HoldStatus | null)[]): 'inventory.committed' | null {
  return holds.every((h) => h === 'committed' || h === 'returned') ? 'inventory.committed' : null;
}
