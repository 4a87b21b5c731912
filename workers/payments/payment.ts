/**
 * A payment's life: authorized → captured | voided, or declined at once. `void` can also come
 * first (the order was cancelled before payments heard of it); then no authorization follows.
 */
export type PaymentStatus = 'authorized' | 'declined' | 'captured' | 'voided';

export type PaymentAction = 'authorize' | 'capture' | 'void';

/** What to do when `action` meets a payment in `status` (null: none yet). */
export function next(action: PaymentAction, status: PaymentStatus | null): 'call_provider' | 'record_only' | 'nothing' {
  switch (action) {
    case 'authorize':
      return status === null ? 'call_provider' : 'nothing';
    case 'capture':
      return status === 'authorized' ? 'call_provider' : 'nothing';
    case 'void':
      if (status === 'authorized') return 'call_provider';
      // Cancelled before authorizing: remember it, so a late authorize is never attempted.
      return status === null ? 'record_only' : 'nothing';
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}
