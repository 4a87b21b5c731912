import { expect, inject, it } from 'vitest';
import { fuzz } from '../fuzz/run';

// A small run of the HTTP fuzzer (`npm run fuzz` sends 10,000 against a topology of its own). Other
// system tests share this topology, so only the state the fuzzer owns is compared.
it('answers 300 generated requests without a 5xx, a hang or an undocumented refusal, changing nothing', async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  const report = await fuzz({
    url: inject('gatewayUrl'),
    runs: 300,
    seed,
    jwtSecret: inject('jwtSecret'),
    adminKey: inject('adminKey'),
    exclusive: false,
    concurrency: 4,
    deadlineMs: 90_000,
  });
  const found = { seed, violations: report.violations.slice(0, 5), stateChanges: report.stateChanges };
  expect(report.sent).toBe(300);
  expect(found, `repeat with FUZZ_SEED=${seed}`).toEqual({ seed, violations: [], stateChanges: [] });
}, 120_000);
