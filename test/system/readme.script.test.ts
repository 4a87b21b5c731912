import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../../scripts/local.ts';
import { freePort, type NpmStart, newStateDir, npmStart } from './npm-start.ts';
import { onlyReads, pattern, Shell, shellBlocks, steps } from './readme.ts';

// Files the README's commands make in the project, as they would for a reader.
const made = ['order.json', 'other-order.json'].filter((f) => !existsSync(join(root, f)));
const blocks = shellBlocks(readFileSync(join(root, 'README.md'), 'utf8'));

let started: NpmStart;
let shell: Shell;
let port: number;

beforeAll(async () => {
  port = await freePort();
  started = npmStart(port, newStateDir());
  await started.waitFor('Conveyor is running', 150_000);
  // The README talks to localhost:8787; only the port differs here, so a running `npm start` is left alone.
  shell = new Shell(root, { ...process.env, CONVEYOR_URL: `http://localhost:${port}`, FORCE_COLOR: '0' });
}, 180_000);

afterAll(async () => {
  shell?.close();
  if (started && started.child.exitCode === null) {
    started.signal('SIGINT');
    await started.exited;
  }
  if (started) rmSync(started.stateDir, { recursive: true, force: true });
  for (const file of made) rmSync(join(root, file), { force: true });
});

/** Runs one step; a read is repeated (up to 15 s) until the README's answer arrives, as a reader would. */
async function run(step: ReturnType<typeof steps>[number]) {
  const command = step.command.replaceAll('localhost:8787', `localhost:${port}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { output, status } = await shell.run(command);
    const missing = step.expected.filter((e) => !pattern(e).test(output));
    const failed = output.includes('"error":{') && !step.expected.some((e) => e.includes('"error"'));
    if (status === 0 && missing.length === 0 && !failed) return;
    if (!onlyReads(command) || Date.now() > deadline) {
      const why = status !== 0 ? `exit status ${status}` : failed ? 'an error answer' : `no ${missing.join(', ')}`;
      throw new Error(
        `README line ${step.line}: ${why}\n$ ${step.command}\n${output}\n\nnpm start printed:\n${started.output().slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the README, run as written against npm start', () => {
  for (const block of blocks.filter((b) => !b.skip)) {
    it(`${block.heading} (line ${block.line})`, async () => {
      for (const step of steps(block)) await run(step);
    });
  }

  it('says why it skips each block it does not run', () => {
    expect(blocks.filter((b) => b.skip).map((b) => [b.line, b.skip!.length > 10])).toEqual(
      blocks.filter((b) => b.skip).map((b) => [b.line, true]),
    );
  });
});
