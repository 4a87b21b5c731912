import type { MiddlewareHandler } from 'hono';
import * as z from 'zod';
import { checkConfig, misconfigured, optional, secret } from '../../shared/config';
import type { AppEnv } from './context';
import { AdminKeys, type Operator } from './operators';

/** How customers prove who they are: the shop's identity provider, or (developing) the local secret. */
export type Identity =
  | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string; skewSeconds: number }
  | { mode: 'local'; secret: string; issuer?: string; audience?: string; skewSeconds: number };

export interface GatewayConfig {
  identity: Identity;
  /** Operators' keys, hashed (ADMIN_KEYS). */
  operators: Operator[];
  /** The local operator key (AUTH_MODE=local only): every scope. */
  localAdminKey?: string;
  carrierSecret: string;
  /** Signs consistency tokens (HMAC-SHA256). */
  consistencySecret: string;
}

/** How far the identity provider's clock may be from ours when checking `exp`, `nbf` and `iat`. */
const ClockSkew = z.coerce.number().int().min(0).max(300).default(60);

/** A production secret must not look like the development ones in .dev.vars.example. */
const productionSecret = (minLength: number) =>
  secret(minLength).refine((v) => !/change-?me|^local-/i.test(v), 'looks like a development value, not a production secret');

const unset = (why: string) => z.union([z.literal(''), z.undefined()], { error: why });

/** Production: customers' tokens come from the shop's identity provider. */
const Production = z.object({
  AUTH_MODE: z.literal('jwks'),
  JWKS_URL: z.url({ protocol: /^https$/, error: "must be the https URL of the identity provider's JWKS" }),
  ISSUER: z.string({ error: 'is not set' }).min(1, 'must name the issuer (iss) the identity provider signs with'),
  AUDIENCE: z.string({ error: 'is not set' }).min(1, 'must name the audience (aud) tokens for this API carry'),
  CLOCK_SKEW_SECONDS: ClockSkew,
  ADMIN_API_KEY: unset('is for local development only (a key kept in plain text); give operators hashed keys in ADMIN_KEYS'),
  ADMIN_KEYS: AdminKeys.refine((operators) => operators.length > 0, 'must hold at least one operator key (npm run admin-key)'),
  CARRIER_WEBHOOK_SECRET: productionSecret(32),
  CONSISTENCY_SECRET: productionSecret(32),
});

/** Local development: HS256 tokens signed with JWT_SECRET (`npm run token`), one all-scope operator key. */
const Development = z.object({
  AUTH_MODE: z.literal('local'),
  // HS256 needs a key at least as long as its hash (RFC 7518 §3.2).
  JWT_SECRET: secret(32),
  ISSUER: optional(z.string()),
  AUDIENCE: optional(z.string()),
  CLOCK_SKEW_SECONDS: ClockSkew,
  ADMIN_API_KEY: secret(12),
  ADMIN_KEYS: AdminKeys,
  CARRIER_WEBHOOK_SECRET: secret(16),
  // Unset: consistency tokens are signed with JWT_SECRET (their signed text is marked, so the MACs never collide).
  CONSISTENCY_SECRET: optional(secret(32)),
});

const Config = z
  .discriminatedUnion('AUTH_MODE', [Production, Development], {
    error:
      'must be "jwks" (production: tokens from the identity provider) or "local" (development: set AUTH_MODE=local in .dev.vars)',
  })
  .transform(
    (e): GatewayConfig =>
      e.AUTH_MODE === 'jwks'
        ? {
            identity: {
              mode: 'jwks',
              jwksUrl: e.JWKS_URL,
              issuer: e.ISSUER,
              audience: e.AUDIENCE,
              skewSeconds: e.CLOCK_SKEW_SECONDS,
            },
            operators: e.ADMIN_KEYS,
            carrierSecret: e.CARRIER_WEBHOOK_SECRET,
            consistencySecret: e.CONSISTENCY_SECRET,
          }
        : {
            identity: {
              mode: 'local',
              secret: e.JWT_SECRET,
              issuer: e.ISSUER,
              audience: e.AUDIENCE,
              skewSeconds: e.CLOCK_SKEW_SECONDS,
            },
            operators: e.ADMIN_KEYS,
            localAdminKey: e.ADMIN_API_KEY,
            carrierSecret: e.CARRIER_WEBHOOK_SECRET,
            consistencySecret: e.CONSISTENCY_SECRET ?? e.JWT_SECRET,
          },
  );

/** Whether the gateway serves with `env`, and if not, why (logged once). */
export const checkGatewayConfig = (env: object) => checkConfig('gateway', Config, env);

/**
 * Fails closed: with a missing or weak secret, or an incomplete identity setup, every request is
 * refused with 503 `misconfigured` and one log line names the problems; otherwise the checked
 * configuration is the request's `config`.
 */
export function configured(): MiddlewareHandler<AppEnv> {
  return async function configured(c, next) {
    const result = checkGatewayConfig(c.env);
    if (!result.ok) throw misconfigured();
    c.set('config', result.config);
    await next();
  };
}
