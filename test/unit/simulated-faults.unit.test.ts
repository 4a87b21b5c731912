import { describe, expect, it } from 'vitest';
import { noFaults, SimulatedFaults, SimulatedOutage, simulateFaults } from '../../shared/simulated-faults';

const problems = (vars: Record<string, unknown>) => {
  const parsed = SimulatedFaults.safeParse(vars);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
};

describe('SimulatedFaults (bench-only config)', () => {
  it('is off when unset or empty', () => {
    expect(SimulatedFaults.parse({})).toEqual(noFaults);
    expect(SimulatedFaults.parse({ SIMULATED_LATENCY_MS: '', SIMULATED_OUTAGE_UNTIL: '' })).toEqual(noFaults);
  });

  it('reads a latency and the end of an outage', () => {
    expect(SimulatedFaults.parse({ SIMULATED_LATENCY_MS: '50', SIMULATED_OUTAGE_UNTIL: '2026-11-28T10:00:00Z' })).toEqual({
      latencyMs: 50,
      downUntil: Date.parse('2026-11-28T10:00:00Z'),
    });
  });

  it.each([
    [{ SIMULATED_LATENCY_MS: 'fast' }, 'SIMULATED_LATENCY_MS must be a number of milliseconds'],
    [{ SIMULATED_LATENCY_MS: '2.5' }, 'SIMULATED_LATENCY_MS must be a whole number of milliseconds'],
    [{ SIMULATED_LATENCY_MS: '-1' }, 'SIMULATED_LATENCY_MS must not be negative'],
    [{ SIMULATED_LATENCY_MS: '10001' }, 'SIMULATED_LATENCY_MS must be at most 10000 (10 s)'],
    [
      { SIMULATED_OUTAGE_UNTIL: '2026-11-28 10:00' },
      'SIMULATED_OUTAGE_UNTIL must be an ISO 8601 instant such as 2026-11-28T10:00:00Z',
    ],
  ])('refuses %j: %s', (vars, problem) => {
    expect(problems(vars)).toEqual([problem]);
  });
});

describe('simulateFaults()', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');

  it('fails at once while the service is down', async () => {
    const started = performance.now();
    const faults = { latencyMs: 1000, downUntil: now + 1 };
    await expect(simulateFaults('payments', faults, now)).rejects.toThrow(new SimulatedOutage('payments', now + 1).message);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('waits the latency once the outage is over', async () => {
    const started = performance.now();
    await simulateFaults('payments', { latencyMs: 40, downUntil: now }, now);
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
  });
});
