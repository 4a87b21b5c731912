import fc from 'fast-check';
import { describe, it } from 'vitest';
import { check, explain, schedules, shapes, simulate } from './simulation';

/** Seeds per `npm test`; `npm run sim -- --runs 100000` runs more. */
const RUNS = Number(process.env.SIM_RUNS ?? 2_000);

describe('the whole order flow under any interleaving', () => {
  it(`keeps stock, goods, money, termination and once-only effects over ${RUNS} schedules`, () => {
    fc.assert(
      fc.property(shapes, schedules, (shape, choices) => {
        const world = simulate(shape, choices);
        const violations = check(world);
        if (violations.length > 0) throw new Error(explain(world, violations));
      }),
      { numRuns: RUNS, ...(process.env.SIM_SEED ? { seed: Number(process.env.SIM_SEED), path: process.env.SIM_PATH } : {}) },
    );
  });
});
