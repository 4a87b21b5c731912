import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import * as z from 'zod';
import { AppError } from '../../shared/errors';

/** Keys are fetched again after this long, so a key the provider withdrew stops working. */
const FRESH_MS = 10 * 60_000;
/** An unknown `kid` fetches again (the provider may have rotated), but at most this often. */
const REFETCH_UNKNOWN_MS = 30_000;
/** If the provider cannot be reached, keys we already have keep working this long. */
const STALE_MS = 24 * 60 * 60_000;

/**
 * The public signing keys we accept: RSA of at least 2048 bits for RS256, P-256 for ES256. Private
 * members are dropped, and symmetric (`oct`) keys never match, so a JWKS cannot smuggle in a shared
 * secret.
 */
const PublicKey = z.discriminatedUnion('kty', [
  z.object({
    kty: z.literal('RSA'),
    kid: z.string().min(1).max(200),
    alg: z.literal('RS256').optional(),
    use: z.literal('sig').optional(),
    n: z.string().min(342),
    e: z.string().min(1).max(16),
  }),
  z.object({
    kty: z.literal('EC'),
    kid: z.string().min(1).max(200),
    alg: z.literal('ES256').optional(),
    use: z.literal('sig').optional(),
    crv: z.literal('P-256'),
    x: z.string().min(1).max(100),
    y: z.string().min(1).max(100),
  }),
]);
type PublicKey = z.infer<typeof PublicKey>;

export const algorithmOf = (key: PublicKey) => (key.kty === 'RSA' ? 'RS256' : 'ES256');

interface Entry {
  keys: Map<string, PublicKey>;
  /** When the keys were last fetched successfully (epoch ms); -Infinity before the first success. */
  fetchedAt: number;
  /** When a fetch was last tried, successful or not: bounds how often we ask. */
  triedAt: number;
}

/** Per isolate: one fetch of the provider's keys serves every request for minutes. */
const cache = new Map<string, Entry>();
const inflight = new Map<string, Promise<void>>();

/**
 * The identity provider's public key with id `kid`, or undefined when it has none. Keys are cached
 * and fetched again when stale or when a token names a key we do not know, at most once per 30 s,
 * so a flood of made-up `kid`s (or a provider that is down) costs one fetch per 30 s, not one per
 * request. Throws 503 `identity_provider_unavailable` when there are no keys young enough to trust.
 */
export async function signingKey(jwksUrl: string, kid: string, now = Date.now()): Promise<HonoJsonWebKey | undefined> {
  let entry = cache.get(jwksUrl);
  const wanted = !entry || now - entry.fetchedAt > FRESH_MS || !entry.keys.has(kid);
  if (wanted && (!entry || now - entry.triedAt > REFETCH_UNKNOWN_MS)) {
    await refresh(jwksUrl, now);
    entry = cache.get(jwksUrl);
  }
  if (!entry || now - entry.fetchedAt > STALE_MS) {
    throw new AppError({
      code: 'identity_provider_unavailable',
      message: 'the identity provider cannot be reached to check the token; try again shortly',
      status: 503,
    });
  }
  const key = entry.keys.get(kid);
  return key && { ...key, alg: algorithmOf(key) };
}

/** Fetches the key set once, however many requests are waiting for it. */
function refresh(jwksUrl: string, now: number): Promise<void> {
  let pending = inflight.get(jwksUrl);
  if (!pending) {
    pending = fetchKeys(jwksUrl)
      .then(
        (keys) => {
          cache.set(jwksUrl, { keys, fetchedAt: now, triedAt: now });
        },
        (error) => {
          console.error(JSON.stringify({ msg: 'identity provider keys could not be fetched', jwksUrl, error: String(error) }));
          const kept = cache.get(jwksUrl);
          cache.set(jwksUrl, {
            keys: kept?.keys ?? new Map(),
            fetchedAt: kept?.fetchedAt ?? Number.NEGATIVE_INFINITY,
            triedAt: now,
          });
        },
      )
      .finally(() => inflight.delete(jwksUrl));
    inflight.set(jwksUrl, pending);
  }
  return pending;
}

async function fetchKeys(jwksUrl: string): Promise<Map<string, PublicKey>> {
  const response = await fetch(jwksUrl, {
    headers: { accept: 'application/json' },
    redirect: 'manual',
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
  const body = z.object({ keys: z.array(z.unknown()).max(100) }).parse(await response.json());
  const keys = new Map<string, PublicKey>();
  for (const candidate of body.keys) {
    const key = PublicKey.safeParse(candidate);
    if (key.success) keys.set(key.data.kid, key.data);
  }
  return keys;
}

/** Forgets every cached key set (tests). */
export function forgetKeys(): void {
  cache.clear();
}
