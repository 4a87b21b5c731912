import { expect } from 'vitest';
import type { ErrorBody, Reply } from '../../shared/errors';

/** The value of a successful RPC reply; fails the test with the error it carried otherwise. */
export function expectOk<T>(reply: Reply<T>): T {
  if (!reply.ok) expect.fail(`expected a value, got ${JSON.stringify(reply.error)}`);
  return reply.value;
}

/** The error of a refused RPC reply, checked against `code`; fails the test with the value otherwise. */
export function expectError<T>(reply: Reply<T>, code: string): ErrorBody {
  if (reply.ok) expect.fail(`expected ${code}, got ${JSON.stringify(reply.value)}`);
  expect(reply.error.code).toBe(code);
  return reply.error;
}
