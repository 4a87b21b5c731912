import type { Context } from 'hono';
import { AppError } from '../../shared/errors';
import type { AppEnv } from './context';

/** Requests of one isolate that may wait for the read model at once … */
const MAX_WAITING = 64;
/** … and of one client. A wait holds a request open and polls D1 for up to 2 s. */
const MAX_WAITING_PER_CLIENT = 2;

let waiting = 0;
const waitingByClient = new Map<string, number>();

/**
 * Runs `wait` (a read that waits, boundedly, for a write to be projected) if a place is free, or
 * refuses with 429 `too_many_waits` and `Retry-After: 1`. So waits, the one read that costs time,
 * cannot be piled up by anyone.
 */
export async function boundedWait<T>(c: Context<AppEnv>, client: string, wait: () => Promise<T>): Promise<T> {
  const mine = waitingByClient.get(client) ?? 0;
  if (waiting >= MAX_WAITING || mine >= MAX_WAITING_PER_CLIENT) {
    c.header('Retry-After', '1');
    throw new AppError({
      code: 'too_many_waits',
      message: 'too many reads are already waiting for writes to arrive; try again in a second',
      status: 429,
    });
  }
  waiting += 1;
  waitingByClient.set(client, mine + 1);
  try {
    return await wait();
  } finally {
    waiting -= 1;
    const left = (waitingByClient.get(client) ?? 1) - 1;
    if (left > 0) waitingByClient.set(client, left);
    else waitingByClient.delete(client);
  }
}
