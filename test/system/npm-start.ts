import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../scripts/local.ts';

/** `npm start` as a user runs it from a terminal: its own process group, the one Ctrl+C reaches. */
export interface NpmStart {
  child: ChildProcess;
  port: number;
  stateDir: string;
  output: () => string;
  /** Resolves with the exit code (or signal) once `npm start` has ended. */
  exited: Promise<number | string>;
  /** Sends `signal` to the whole foreground group, as the terminal does for Ctrl+C. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once the output contains `text`; rejects if it ends first or `ms` pass. */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
}

export { freePort, portFree } from '../../scripts/processes.ts';

export function newStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'conveyor-start-'));
}

/** Runs `npm start` on `port` with its local state in `stateDir`. */
export function npmStart(port: number, stateDir: string): NpmStart {
  // The npm that runs this test, if any, so the test does not depend on PATH.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const child = spawn(npm[0]!, [...npm.slice(1), 'start'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), STATE_DIR: stateDir, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
  return {
    child,
    port,
    stateDir,
    output: () => output,
    exited,
    signal: (signal) => process.kill(-child.pid!, signal),
    async waitFor(text, ms = 90_000) {
      const deadline = Date.now() + ms;
      let ended = false;
      void exited.then(() => (ended = true));
      while (!(typeof text === 'string' ? output.includes(text) : text.test(output))) {
        if (ended) throw new Error(`npm start ended before printing ${text}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm start did not print ${text} within ${ms} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The processes, other than ours, whose command line mentions `text` (e.g. a state directory). */
export function processesMentioning(text: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

/** The process group of the `wrangler dev` that `npm start` recorded in its state directory. */
export function wranglerGroup(stateDir: string): number | undefined {
  const file = join(stateDir, 'wrangler-dev.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to `ms`) until `check` holds; answers whether it did. */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
