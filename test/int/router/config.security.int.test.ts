import { env } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import worker from '../../../workers/router';
import { expectFailsClosed } from '../../helpers/fail-closed';

describe('router fails closed', () => {
  it('refuses to route when it is told of more bus shards than it has bindings for, naming BUS_SHARDS', async () => {
    await expectFailsClosed(
      'router',
      worker as ExportedHandler<never>,
      { ...env, BUS_SHARDS: '2' },
      'conveyor-bus',
      'BUS_SHARDS',
    );
  });

  it('refuses a shard count that is not one, naming BUS_SHARDS', async () => {
    await expectFailsClosed(
      'router',
      worker as ExportedHandler<never>,
      { ...env, BUS_SHARDS: '0' },
      'conveyor-bus',
      'BUS_SHARDS',
    );
  });
});
