import { describe, expect, it } from 'vitest';
import { noFaults, SimulatedFaults, SimulatedOutage, simulateFaults } from '../../shared/simulated-faults';

const problems = (vars: Record<string, unknown>) => {
  const parsed = SimulatedFaults.safeParse(vars);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
};

describe('SimulatedFaults (bench-only config)', () => {
  it('is off when unset or empty', () => {
    expect(SimulatedFaults.parse({})).toEqual(noFaults);
    expect(SimulatedFaults.parse({ SIMULATED_LATENCY_MS: '', SIMULATED_OUTAGE: '' })).toEqual(noFaults);
  });

  it('reads a latency and an outage', () => {
    const outage = '2026-11-28T10:00:00Z/2026-11-28T12:00:00+01:00';
    expect(SimulatedFaults.parse({ SIMULATED_LATENCY_MS: '50', SIMULATED_OUTAGE: outage })).toEqual({
      latencyMs: 50,
      down: { from: Date.parse('2026-11-28T10:00:00Z'), until: Date.parse('2026-11-28T11:00:00Z') },
    });
  });

  it.each<[Record<string, string>, string]>([
    [{ SIMULATED_LATENCY_MS: 'fast' }, 'SIMULATED_LATENCY_MS must be a number of milliseconds'],
    [{ SIMULATED_LATENCY_MS: '2.5' }, 'SIMULATED_LATENCY_MS must be a whole number of milliseconds'],
    [{ SIMULATED_LATENCY_MS: '-1' }, 'SIMULATED_LATENCY_MS must not be negative'],
    [{ SIMULATED_LATENCY_MS: '10001' }, 'SIMULATED_LATENCY_MS must be at most 10000 (10 s)'],
    ...['2026-11-28T10:00:00Z', '2026-11-28 10:00/2026-11-28 11:00', 'a/b/c'].map((outage): [Record<string, string>, string] => [
      { SIMULATED_OUTAGE: outage },
      'SIMULATED_OUTAGE must be an ISO 8601 interval <start>/<end> such as 2026-11-28T10:00:00Z/2026-11-28T10:00:30Z',
    ]),
    [{ SIMULATED_OUTAGE: '2026-11-28T10:00:30Z/2026-11-28T10:00:00Z' }, 'SIMULATED_OUTAGE must end after it starts'],
  ])('refuses %j: %s', (vars, problem) => {
    expect(problems(vars)).toEqual([problem]);
  });
});

describe('simulateFaults()', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');

  it('fails at once while the service is down', async () => {
    const started = performance.now();
    const faults = { latencyMs: 1000, down: { from: now, until: now + 1 } };
    await expect(simulateFaults('payments', faults, now)).rejects.toThrow(new SimulatedOutage('payments', now + 1).message);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it.each([
    ['before the outage', { from: now + 1, until: now + 2 }],
    ['once it is over', { from: now - 2, until: now }],
  ])('waits the latency %s', async (_, down) => {
    const started = performance.now();
    await simulateFaults('payments', { latencyMs: 40, down }, now);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });
});
