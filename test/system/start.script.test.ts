import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  groupAlive,
  type NpmStart,
  newStateDir,
  npmStart,
  portFree,
  processesMentioning,
  within,
  wranglerGroup,
} from './npm-start.ts';

const started: NpmStart[] = [];

function start(port: number, stateDir: string) {
  const run = npmStart(port, stateDir);
  started.push(run);
  return run;
}

/** Nothing of that run is left: no process mentions its state directory, and its port is free. */
async function expectNothingLeft(run: NpmStart) {
  const gone = await within(10_000, () => processesMentioning(run.stateDir).length === 0);
  expect(gone ? [] : processesMentioning(run.stateDir), run.output()).toEqual([]);
  expect(await portFree(run.port), `port ${run.port} still taken`).toBe(true);
  expect(wranglerGroup(run.stateDir), 'the pid file is removed').toBeUndefined();
}

afterEach(async () => {
  // A failed expectation must not leave Workers behind for the next test.
  for (const run of started.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null) run.signal('SIGKILL');
    const group = wranglerGroup(run.stateDir);
    if (group && groupAlive(group)) process.kill(-group, 'SIGKILL');
    rmSync(run.stateDir, { recursive: true, force: true });
  }
});

describe('npm start', () => {
  it('stops every Worker when interrupted after they answer but before seeding has finished', async () => {
    const run = start(await freePort(), newStateDir());
    await run.waitFor('Workers are up');
    const group = wranglerGroup(run.stateDir);
    expect(group, run.output()).toBeGreaterThan(1);
    expect(run.output()).not.toContain('Conveyor is running');

    run.signal('SIGINT');

    expect([130, 'SIGINT']).toContain(await run.exited);
    expect(await within(5_000, () => !groupAlive(group!)), `wrangler dev's group ${group} is still running`).toBe(true);
    await expectNothingLeft(run);
  });

  it('stops the D1 migrations when interrupted at once', async () => {
    const run = start(await freePort(), newStateDir());
    await run.waitFor('Starting every Worker');
    await within(3_000, () => processesMentioning(run.stateDir).some((p) => p.includes('migrations apply')));

    run.signal('SIGINT');

    expect([130, 'SIGINT']).toContain(await run.exited);
    await expectNothingLeft(run);
  });

  it('comes up after an earlier run was killed outright, stopping what it left running', async () => {
    const port = await freePort();
    const stateDir = newStateDir();
    const killed = start(port, stateDir);
    await killed.waitFor('Workers are up');
    const orphan = wranglerGroup(stateDir)!;
    killed.signal('SIGKILL');
    await killed.exited;
    expect(groupAlive(orphan), 'kill -9 cannot be handled, so wrangler dev outlives it').toBe(true);

    const next = start(port, stateDir);
    await next.waitFor('Conveyor is running', 120_000);
    expect(next.output()).toContain(`Stopped Workers left running by an earlier start (process group ${orphan})`);
    expect(groupAlive(orphan)).toBe(false);

    next.signal('SIGTERM');
    expect([143, 'SIGTERM']).toContain(await next.exited);
    await expectNothingLeft(next);
  });

  it('fails at once, naming the port and PORT=, when the port is taken', async () => {
    const port = await freePort();
    const squatter = createServer().listen(port, '127.0.0.1');
    try {
      const run = start(port, newStateDir());
      const began = Date.now();
      expect(await run.exited).toBe(1);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(run.output()).toContain(`Port ${port} is already in use`);
      expect(run.output()).toContain(`PORT=${port + 1} npm start`);
      expect(processesMentioning(run.stateDir)).toEqual([]);
    } finally {
      squatter.close();
    }
  });
});
