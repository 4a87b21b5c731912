import type { OrderSnapshot } from '../../shared/events';
import { sealPaymentToken, sealPersonal, type VaultRpc } from '../../shared/personal-data';
import { KeyringSecret } from '../../shared/sealed';
import { address } from './fixtures';

/**
 * Seals for real, as the orders service does: the payment token with the Worker's own
 * PAYMENT_TOKEN_KEYS, personal data through the vault (its real Worker, bound as VAULT).
 */
export async function sealedCard(keys: string, order: { id: string; customerId: string }, card: string) {
  return { token: await sealPaymentToken(KeyringSecret.parse(keys), card, order) };
}

/** The order's personal data sealed by the vault with its customer's key: what its events carry. */
export async function sealedPersonal(
  vault: Service<VaultRpc>,
  order: { id: string; customerId: string },
  values: { shippingAddress: typeof address; email?: string } = { shippingAddress: address },
): Promise<Pick<OrderSnapshot, 'shippingAddress' | 'email'>> {
  return sealPersonal(vault, order, values);
}
