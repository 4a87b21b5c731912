import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { admission, LAG_TIMEOUT_MS } from '../../../workers/gateway/admission';
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

  describe('readings', () => {
    /** An app whose router answers each lag call with the lag set now, once `release()` lets the call through. */
    function appWithRouter(options: { cacheMs: number; staleMs: number }, measuredAgoMs = 0) {
      let lagMs = 150;
      let gate: { promise: Promise<void>; resolve: () => void } | undefined;
      const calls = { n: 0 };
      const app = new Hono<AppEnv>();
      app.use(admission({ maxLagMs: () => 2000, ...options }));
      app.post('/v1/orders', (c) => c.json({ id: 'o1' }, 202));
      const router = {
        lag: async () => {
          calls.n += 1;
          await gate?.promise;
          return { ok: true, value: [{ shard: 0, lagMs, measuredAt: new Date(Date.now() - measuredAgoMs).toISOString() }] };
        },
      };
      return {
        post: () => app.request('/v1/orders', { method: 'POST' }, { ROUTER: router } as unknown as Env),
        setLag: (ms: number) => {
          lagMs = ms;
        },
        hold: () => {
          let resolve = () => {};
          const promise = new Promise<void>((r) => {
            resolve = r;
          });
          gate = { promise, resolve };
        },
        release: () => gate?.resolve(),
        calls,
      };
    }
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('never keeps a request waiting on a reading it already has: a due one is asked for behind the answer', async () => {
      const router = appWithRouter({ cacheMs: 20, staleMs: 60_000 });
      expect((await router.post()).status).toBe(202);
      router.setLag(9_500);
      router.hold();
      await sleep(30);
      // Due, and the router not answering: the request is answered from the reading it has.
      expect((await router.post()).status).toBe(202);
      expect(router.calls.n).toBe(2);
      router.release();
      await sleep(5);
      expect((await router.post()).status).toBe(503);
    });

    it('waits for a fresh reading when it has none, or only one older than staleMs', async () => {
      const router = appWithRouter({ cacheMs: 10, staleMs: 40 });
      expect((await router.post()).status).toBe(202);
      router.setLag(9_500);
      await sleep(50);
      expect((await router.post()).status).toBe(503);
    });

    it('keeps refusing on a reading it holds while the router is slow to give a new one', async () => {
      // Measured 100 ms before it was read: evidence for 200 ms from the reading, however long the next one takes.
      const router = appWithRouter({ cacheMs: 20, staleMs: 200 }, 100);
      router.setLag(9_500);
      expect((await router.post()).status).toBe(503);
      router.hold();
      await sleep(120);
      expect((await router.post()).status).toBe(503);
      router.release();
    });

    it(`admits, as for an unknown lag, when the router does not answer within ${LAG_TIMEOUT_MS} ms`, async () => {
      const router = appWithRouter({ cacheMs: 1_000, staleMs: 5_000 });
      router.setLag(9_500);
      router.hold();
      const started = Date.now();
      expect((await router.post()).status).toBe(202);
      expect(Date.now() - started).toBeGreaterThanOrEqual(LAG_TIMEOUT_MS - 50);
      router.release();
    });

    it('asks the router once however many requests find the reading due', async () => {
      const router = appWithRouter({ cacheMs: 1_000, staleMs: 5_000 });
      router.hold();
      const answers = Promise.all(Array.from({ length: 5 }, () => router.post()));
      router.release();
      expect((await answers).map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
      expect(router.calls.n).toBe(1);
    });
  });
});
