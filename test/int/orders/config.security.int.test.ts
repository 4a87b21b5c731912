import { env } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import worker from '../../../workers/orders';
import { expectFailsClosed } from '../../helpers/fail-closed';

describe('orders fails closed', () => {
  it('refuses to serve or consume with a saga that never waits, naming SAGA_TIMEOUT_SECONDS in one log line', async () => {
    await expectFailsClosed(
      'orders',
      worker as ExportedHandler<never>,
      { ...env, SAGA_TIMEOUT_SECONDS: '0' },
      'conveyor-orders-inbox',
      'SAGA_TIMEOUT_SECONDS',
    );
  });

  it('refuses to serve or consume without a keyring to seal payment tokens with, naming PAYMENT_TOKEN_KEYS', async () => {
    await expectFailsClosed(
      'orders',
      worker as ExportedHandler<never>,
      { ...env, PAYMENT_TOKEN_KEYS: 'k1:too-short' },
      'conveyor-orders-inbox',
      'PAYMENT_TOKEN_KEYS',
    );
  });
});
