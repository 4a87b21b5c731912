import { env } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import worker from '../../../workers/inventory';
import { expectFailsClosed } from '../../helpers/fail-closed';

describe('inventory fails closed', () => {
  it('refuses to serve or consume with holds that never expire, naming RESERVATION_TTL_SECONDS in one log line', async () => {
    await expectFailsClosed(
      'inventory',
      worker as ExportedHandler<never>,
      { ...env, RESERVATION_TTL_SECONDS: 'forever' },
      'conveyor-inventory-inbox',
      'RESERVATION_TTL_SECONDS',
    );
  });
});

describe('inventory checks its bus bindings', () => {
  it('refuses to serve or consume with a gap in its bus shards, naming the binding past the gap', async () => {
    await expectFailsClosed(
      'inventory',
      worker as ExportedHandler<never>,
      { ...env, BUS_2: env.BUS },
      'conveyor-inventory-inbox',
      'BUS_2 is bound, but bus shard 1 (BUS_1) is not',
    );
  });
});
