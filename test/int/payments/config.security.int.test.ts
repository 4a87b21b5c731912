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
});
