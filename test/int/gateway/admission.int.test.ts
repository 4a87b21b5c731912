import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { admission } from '../../../workers/gateway/admission';
import type { AppEnv } from '../../../workers/gateway/context';

/** A throwaway app behind admission control, with routers whose bus shards report `lagMs` measured `ageMs` ago. */
function appWithLags(shards: { lagMs: number; ageMs?: number }[]) {
  const app = new Hono<AppEnv>();
  app.use(admission({ maxLagMs: () => 2000, cacheMs: 0 }));
  app.post('/v1/orders', (c) => c.json({ id: 'o1' }, 202));
  const router = {
    lag: async () => ({
      ok: true,
      value: shards.map(({ lagMs, ageMs = 0 }, shard) => ({
        shard,
        lagMs,
        measuredAt: new Date(Date.now() - ageMs).toISOString(),
      })),
    }),
  };
  return (init?: RequestInit) => app.request('/v1/orders', { method: 'POST', ...init }, { ROUTER: router } as unknown as Env);
}

const appWithLag = (lagMs: number | null, ageMs = 0) => appWithLags(lagMs === null ? [] : [{ lagMs, ageMs }]);

describe('admission control', () => {
  it('admits while the platform keeps up', async () => {
    expect((await appWithLag(150)()).status).toBe(202);
  });

  it('refuses with 503 and Retry-After while orders run further behind than the bound', async () => {
    const response = await appWithLag(9_500)();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('8');
    expect(await response.json()).toMatchObject({ error: { code: 'overloaded' } });
  });

  it('admits when nothing has been measured yet, or the last reading is stale', async () => {
    expect((await appWithLag(null)()).status).toBe(202);
    expect((await appWithLag(60_000, 120_000)()).status).toBe(202);
  });

  it('refuses by the worst bus shard: one shard far behind is enough', async () => {
    const response = await appWithLags([{ lagMs: 100 }, { lagMs: 6_500 }, { lagMs: 300 }])();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('leaves out a shard whose last reading is stale: nothing moves on it', async () => {
    expect((await appWithLags([{ lagMs: 100 }, { lagMs: 60_000, ageMs: 120_000 }])()).status).toBe(202);
  });
});
