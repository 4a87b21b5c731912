// Child processes that never outlive the script that started them, however it ends.
import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every child still running, each the leader of its own process group (so its helpers go with it). */
const running = new Map<ChildProcess, { pidFile?: string }>();

/**
 * Spawns a child in its own process group and tracks it until it exits. A terminal's Ctrl+C does
 * not reach such a group, so {@link stopOnInterrupt} (or {@link stopChildren}) stops it. With
 * `pidFile`, the group's id is kept there while it runs, for {@link stopLeftover}.
 */
export function spawnTracked(command: string, args: string[], options: SpawnOptions & { pidFile?: string }): ChildProcess {
  const { pidFile, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true });
  if (!process.listeners('exit').includes(killAll)) process.on('exit', killAll);
  running.set(child, { pidFile });
  if (pidFile) writeFileSync(pidFile, `${child.pid}\n`);
  child.once('exit', () => {
    running.delete(child);
    // Helpers the leader left behind (e.g. workerd, had wrangler crashed) go with it.
    signalGroup(child.pid, 'SIGTERM');
    if (pidFile) rmSync(pidFile, { force: true });
  });
  return child;
}

const signalGroup = (pid: number | undefined, signal: NodeJS.Signals) => {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {}
};

// The last resort, when the script ends without an orderly stop (an uncaught error, process.exit):
// nothing asynchronous runs any more, so the groups are killed outright.
function killAll() {
  for (const [child, { pidFile }] of running) {
    signalGroup(child.pid, 'SIGKILL');
    if (pidFile) rmSync(pidFile, { force: true });
  }
}

/** Whether any process of the group led by `pid` is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops one child's whole group: TERM, then KILL after `graceMs`; resolves when the group is gone. */
export async function stopGroup(pid: number, graceMs = 5_000): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (!groupAlive(pid)) return;
  signalGroup(pid, 'SIGKILL');
  while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 20));
}

/** Stops every tracked child. */
export async function stopChildren(graceMs?: number): Promise<void> {
  await Promise.all([...running.keys()].map((child) => stopGroup(child.pid!, graceMs)));
}

let stopping = false;

/** Whether a signal has asked this script to stop (children exiting now is expected, not a failure). */
export const isStopping = () => stopping;

/**
 * Installs Ctrl+C, `kill` and hang-up handling: the first signal runs `cleanup` and stops every
 * child, then exits with the conventional 128 + signal number; a second signal kills at once.
 * Call it before starting any child.
 */
export function stopOnInterrupt(cleanup: () => void | Promise<void> = () => {}): void {
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.on(signal, async () => {
      if (stopping) process.exit(codes[signal]);
      stopping = true;
      console.error(`\n${signal}: stopping every Worker …`);
      try {
        await cleanup();
        await stopChildren();
      } finally {
        process.exit(codes[signal]);
      }
    });
  }
}

/**
 * Resolves if nothing listens on `port` (IPv4 and, where there is one, IPv6 loopback), else rejects
 * with a message that names the port and says how to pick another.
 */
/** A port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Whether nothing listens on `port` of 127.0.0.1 now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(port: number): Promise<void> {
  for (const host of ['127.0.0.1', '::1']) {
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const server = createServer();
      server.once('error', resolve);
      server.listen(port, host, () => server.close(() => resolve(undefined)));
    });
    if (error?.code === 'EADDRINUSE') {
      throw new Error(
        `Port ${port} is already in use. Stop whatever listens there (\`lsof -i :${port}\` shows it), ` +
          `or start on another port: PORT=${port + 1} npm start`,
      );
    }
    // No IPv6 loopback on this machine is fine; anything else is a real problem.
    if (error && !['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes(error.code ?? '')) throw error;
  }
}

/**
 * Stops the group whose id a {@link spawnTracked} `pidFile` recorded, if it is still running
 * `marker`: its parent was killed outright (`kill -9`, a closed terminal), so nothing else ever
 * would. Answers the group's id if it stopped one.
 */
export async function stopLeftover(pidFile: string, marker: string): Promise<number | undefined> {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !groupAlive(pid)) return undefined;
  // A leader that is gone leaves its group id reserved while any member lives, so only a live
  // leader's pid can have been reused by something else.
  const command = commandLine(pid);
  if (command && !command.includes(marker)) return undefined;
  await stopGroup(pid);
  return pid;
}

/** The command line of a process ('' if it is gone); the pid may have been reused by something else. */
function commandLine(pid: number): string {
  try {
    if (existsSync(`/proc/${pid}/cmdline`)) return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return '';
  }
}
