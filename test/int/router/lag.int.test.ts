import { describe, expect, it } from 'vitest';
import { lagOf } from '../../../workers/router/lag';

const sentAgo = (ms: number, attempts = 1, now = 1_000_000) =>
  ({ id: 'm', timestamp: new Date(now - ms), attempts, body: null }) as unknown as Message<unknown>;

describe('bus lag', () => {
  it('is the longest wait on the bus among first deliveries', () => {
    expect(lagOf([sentAgo(120), sentAgo(2_500), sentAgo(40)], 1_000_000)).toBe(2_500);
  });

  it('leaves out retried messages, whose age is their backoff, not a backlog', () => {
    expect(lagOf([sentAgo(60_000, 3), sentAgo(80)], 1_000_000)).toBe(80);
  });
});
