import * as z from 'zod';
import { AppError } from './errors';

/** A write a caller wants to read back: an order at (at least) a version. */
const Token = z.object({ o: z.uuid(), v: z.int().positive() });
export type ConsistencyToken = z.infer<typeof Token>;

/** The opaque token POST /v1/orders returns, naming the order at the version it answered. */
export function consistencyToken(orderId: string, version: number): string {
  return btoa(JSON.stringify({ o: orderId, v: version })).replace(/=+$/, '');
}

export function readConsistencyToken(token: string): ConsistencyToken {
  try {
    const parsed = Token.safeParse(JSON.parse(atob(token)));
    if (parsed.success) return parsed.data;
  } catch {}
  throw new AppError({
    code: 'invalid_consistency_token',
    message: 'consistency token is not one this API returned',
    status: 400,
  });
}
