import type { Decider } from '../../shared/decider';

/**
 * Units of one SKU (or of one bucket of a hot SKU, see buckets.ts): what is on hand (held units
 * included), how much of it is held for orders, and the stock count they come from: every count
 * (`Recount`) starts a new generation, and units moved between buckets belong to the generation
 * they left in.
 */
export interface Stock {
  onHand: number;
  reserved: number;
  generation: number;
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

/**
 * Units moved between two buckets of one SKU. The source takes them off its shelf when it sends
 * (`sent`) and keeps delivering them until the target has answered (`delivered`); the target adds
 * them once (`received`), or keeps them aside until it is counted at their generation (`parked`),
 * or drops them when it was counted again since (`dropped`: that count included them).
 */
export interface Transfer {
  id: string;
  direction: 'out' | 'in';
  /** The other bucket. */
  peer: number;
  units: number;
  generation: number;
  status: 'sent' | 'delivered' | 'received' | 'parked' | 'dropped';
}

/**
 * The decider's view: the SKU's stock (null: no such product), and the part of the SKU the message
 * is about: one order's hold, one transfer, or the units parked for the generation a count starts.
 */
export interface SkuState {
  stock: Stock | null;
  hold: Hold | null;
  transfer?: Transfer | null;
  parked?: number;
}

export type StockMessage =
  /** order.placed: hold the units. A reserve for an order placed longer ago than `maxAgeMs` is ignored. */
  | { type: 'Reserve'; orderId: string; quantity: number; ttlMs: number; placedAt: string; maxAgeMs: number }
  /** The order could not be held whole: give back this part of it (never a sale). */
  | { type: 'Undo'; orderId: string }
  /**
   * order.cancelled: give back whatever the order holds or bought; bar a hold that has not come
   * yet. `ifHeld`: give back only, bar nothing (a hot SKU's buckets are asked in turn, see buckets.ts).
   */
  | { type: 'Release'; orderId: string; quantity: number; ifHeld?: boolean }
  /** order.confirmed: the hold becomes a sale. */
  | { type: 'Commit'; orderId: string; quantity: number }
  /** The alarm: a hold past its time is freed. */
  | { type: 'Expire'; orderId: string }
  /**
   * A stock count of generation `generation`: on hand is set absolutely; holds stay. A count no
   * newer than the last one is ignored (a late or repeated one).
   */
  | { type: 'Recount'; onHand: number; generation: number }
  /** Rebalancing: send half of the free units to bucket `to`, once per `transferId`. */
  | { type: 'SendTransfer'; transferId: string; to: number }
  /** The target of a transfer sent by this bucket answered: it has the units (or knows why not). */
  | { type: 'TransferDelivered'; transferId: string }
  /** Units sent by bucket `from`; added once per `transferId`, and only within their generation. */
  | { type: 'ReceiveTransfer'; transferId: string; from: number; units: number; generation: number };

export type StockEvent =
  | { type: 'Held'; orderId: string; quantity: number; expiresAt: number }
  | { type: 'Rejected'; orderId: string; quantity: number }
  | { type: 'Barred'; orderId: string; quantity: number }
  | { type: 'Released'; orderId: string; quantity: number }
  | { type: 'Expired'; orderId: string; quantity: number }
  | { type: 'Committed'; orderId: string; quantity: number }
  | { type: 'Returned'; orderId: string; quantity: number }
  | { type: 'Recounted'; onHand: number; generation: number }
  | { type: 'TransferSent'; transferId: string; to: number; units: number; generation: number }
  | { type: 'TransferLanded'; transferId: string }
  | { type: 'TransferReceived'; transferId: string; from: number; units: number; generation: number }
  | { type: 'TransferParked'; transferId: string; from: number; units: number; generation: number }
  | { type: 'TransferDropped'; transferId: string; from: number; units: number; generation: number };

/** Units that can still be promised; never below zero, even when stock is set below what is held. */
export function available(stock: Pick<Stock, 'onHand' | 'reserved'>): number {
  return Math.max(0, stock.onHand - stock.reserved);
}

/** What a bucket gives when asked to rebalance: half of its free units, so it never empties itself for another. */
export function transferable(stock: Stock): number {
  return Math.floor(available(stock) / 2);
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
      if (!hold) return message.ifHeld ? [] : [{ type: 'Barred', orderId: message.orderId, quantity: message.quantity }];
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
    case 'Recount': {
      if (stock && message.generation <= stock.generation) return [];
      // Units sent for this count's generation before the count arrived belong to it.
      return [{ type: 'Recounted', onHand: Math.max(0, message.onHand) + (state.parked ?? 0), generation: message.generation }];
    }
    case 'SendTransfer': {
      if (state.transfer || !stock) return [];
      const units = transferable(stock);
      if (units < 1) return [];
      return [{ type: 'TransferSent', transferId: message.transferId, to: message.to, units, generation: stock.generation }];
    }
    case 'TransferDelivered':
      return state.transfer?.direction === 'out' && state.transfer.status === 'sent'
        ? [{ type: 'TransferLanded', transferId: message.transferId }]
        : [];
    case 'ReceiveTransfer': {
      if (state.transfer) return [];
      const { transferId, from, units, generation } = message;
      const fact = { transferId, from, units, generation };
      const counted = stock?.generation ?? 0;
      // Sent before this bucket's latest count: the count included them. Sent after a count that
      // has not reached this bucket yet: they wait for it (see Recount).
      if (generation < counted) return [{ type: 'TransferDropped', ...fact }];
      if (generation > counted || !stock) return [{ type: 'TransferParked', ...fact }];
      return [{ type: 'TransferReceived', ...fact }];
    }
    default: {
      const _exhaustive: never = message;
      return _exhaustive;
    }
  }
}

/** Applies one event; pure. */
export function evolve(state: SkuState, event: StockEvent): SkuState {
  const stock = state.stock ?? { onHand: 0, reserved: 0, generation: 0 };
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
      return { stock: { ...stock, onHand: stock.onHand - event.quantity, reserved }, hold: hold('committed') };
    }
    case 'Returned':
      return { stock: { ...stock, onHand: stock.onHand + event.quantity }, hold: hold('returned') };
    case 'Recounted':
      return { ...state, stock: { ...stock, onHand: event.onHand, generation: event.generation }, parked: 0 };
    case 'TransferSent':
      return {
        ...state,
        stock: { ...stock, onHand: stock.onHand - event.units },
        transfer: transfer(event, 'out', event.to, 'sent'),
      };
    case 'TransferLanded':
      return { ...state, transfer: { ...state.transfer!, status: 'delivered' } };
    case 'TransferReceived':
      return {
        ...state,
        stock: { ...stock, onHand: stock.onHand + event.units },
        transfer: transfer(event, 'in', event.from, 'received'),
      };
    case 'TransferParked':
      return { ...state, transfer: transfer(event, 'in', event.from, 'parked') };
    case 'TransferDropped':
      return { ...state, transfer: transfer(event, 'in', event.from, 'dropped') };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

const transfer = (
  e: { transferId: string; units: number; generation: number },
  direction: Transfer['direction'],
  peer: number,
  status: Transfer['status'],
): Transfer => ({ id: e.transferId, direction, peer, units: e.units, generation: e.generation, status });

/** One SKU's stock as a decider (see shared/decider.ts). */
export const sku: Decider<StockMessage, SkuState, StockEvent> = {
  initialState: { stock: null, hold: null, transfer: null, parked: 0 },
  decide,
  evolve,
};

/** A hold that exists or existed: the order's units were held at some point. */
const wasHeld = (status: HoldStatus | null) => status !== null && status !== 'rejected' && status !== 'barred';

type Line = { sku: string; quantity: number };

/** An order's lines one per SKU (quantities of a SKU named twice added up): a SKU holds an order once. */
export function mergeLines(lines: readonly Line[]): Line[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

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
