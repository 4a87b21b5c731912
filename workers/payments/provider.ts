/** A payment provider: the sandbox locally, a card processor's REST API in production. */
export interface PaymentProvider {
  authorize(request: {
    token: string;
    amountCents: number;
    currency: string;
    /** The provider must treat a repeat with the same key as the same request. */
    idempotencyKey: string;
  }): Promise<{ outcome: 'approved'; reference: string } | { outcome: 'declined'; reason: string }>;
  capture(reference: string, idempotencyKey: string): Promise<void>;
  void(reference: string, idempotencyKey: string): Promise<void>;
  refund(reference: string, idempotencyKey: string): Promise<void>;
}

/** The provider could not answer now (timeout, 5xx, rate limit): the same request may succeed later. */
export class TransientProviderError extends Error {
  override name = 'TransientProviderError';
}
