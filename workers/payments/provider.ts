/** A payment provider: the sandbox locally, a card processor in production. */
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
}

/** Test cards, as at Stripe: `tok_visa` approves, `tok_chargeDeclined` declines. */
export const sandbox: PaymentProvider = {
  async authorize({ token, idempotencyKey }) {
    if (token === 'tok_chargeDeclined') return { outcome: 'declined', reason: 'card_declined' };
    if (token === 'tok_visa') return { outcome: 'approved', reference: `sandbox_${idempotencyKey}` };
    return { outcome: 'declined', reason: 'invalid_token' };
  },
  async capture() {},
  async void() {},
};
