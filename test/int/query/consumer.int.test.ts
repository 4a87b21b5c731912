import { env } from 'cloudflare:workers';
import { describe, it } from 'vitest';
import { handlers } from '../../../workers/query/consumer';
import { expectHandlesExactly } from '../../helpers/queues';

describe('query inbox consumer', () => {
  it('handles every event type, as its wildcard subscription says', () => {
    expectHandlesExactly('query', handlers(env));
  });
});
