import { env } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import worker from '../../../workers/payments';
import { expectFailsClosed } from '../../helpers/fail-closed';

describe('payments fails closed', () => {
  it('refuses to serve or consume with an unknown payment provider, naming PAYMENT_PROVIDER in one log line', async () => {
    await expectFailsClosed(
      'payments',
      worker as ExportedHandler<never>,
      { ...env, PAYMENT_PROVIDER: 'stripe-ish' },
      'conveyor-payments-inbox',
      'PAYMENT_PROVIDER',
    );
  });

  it('refuses to serve or consume without the keyring that opens payment tokens, naming PAYMENT_TOKEN_KEYS', async () => {
    const { PAYMENT_TOKEN_KEYS: _, ...withoutKeys } = env;
    await expectFailsClosed(
      'payments',
      worker as ExportedHandler<never>,
      withoutKeys,
      'conveyor-payments-inbox',
      'PAYMENT_TOKEN_KEYS',
    );
  });
});
