/**
 * A payment's life: authorized → captured → refunded, or authorized → voided, or declined at once.
 * A compensation can come first (the order was cancelled before payments heard of it); then it is
 * remembered as voided and no authorization follows.
 */
export type PaymentStatus = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';

/** What the saga asks of payments: on order.placed, order.confirmed and order.cancelled. */
export type PaymentAction = 'authorize' | 'capture' | 'compensate';

export type ProviderCall = 'authorize' | 'capture' | 'void' | 'refund';

export type Step =
  /** Ask the provider, then record its outcome. */
  | { kind: 'call'; call: ProviderCall }
  /** Record a status without asking the provider. */
  | { kind: 'record'; status: PaymentStatus }
  /** Already done: announce the current status again (the saga may have missed it). */
  | { kind: 'repeat' }
  | { kind: 'nothing' };

/** What to do when `action` meets a payment in `status` (null: none yet). */
export function next(action: PaymentAction, status: PaymentStatus | null): Step {
  switch (action) {
    case 'authorize':
      return status === null ? { kind: 'call', call: 'authorize' } : { kind: 'repeat' };
    case 'capture':
      if (status === 'authorized') return { kind: 'call', call: 'capture' };
      return status === 'captured' ? { kind: 'repeat' } : { kind: 'nothing' };
    case 'compensate':
      if (status === 'authorized') return { kind: 'call', call: 'void' };
      if (status === 'captured') return { kind: 'call', call: 'refund' };
      if (status === null) return { kind: 'record', status: 'voided' };
      return status === 'voided' || status === 'refunded' ? { kind: 'repeat' } : { kind: 'nothing' };
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}
