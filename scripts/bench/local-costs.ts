// What `wrangler dev` costs on this machine that the platform does not: the bench leaves it out
// unless asked (`--with-local-costs`), so its figures are the product's. Measured on two cores,
// same commit, `npm run bench -- --orders 400` with and without (docs/capacity.md, "Measured on a
// quiet machine, with what local dev costs left out"): 10.6 → 31.7 orders/s, placed → confirmed
// p50 698 → 206 ms.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Local dev's trace collector (`X_LOCAL_OBSERVABILITY`, on by default) runs inside the one workerd
 * process and its cost grows through a run (event-driven POST p50 75 → 164 ms over the three rounds
 * of `--compare`, flat without); production traces are collected off the request path.
 */
export function withoutTraceCollector(): void {
  process.env.X_LOCAL_OBSERVABILITY ??= 'false';
}

/**
 * A throwaway directory for the topology's state. In memory (`/dev/shm`) where there is one: every
 * local Durable Object and D1 commit is an SQLite `fsync` on the one workerd thread, which waits for
 * the disk while every other Worker waits for it; a Durable Object's commit on Cloudflare does not
 * block its isolate's thread.
 */
export function scratchDir(onDisk = false): string {
  const parent = !onDisk && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(parent, 'conveyor-bench-'));
}
