import { z } from 'zod';
import { checkConfig, optional, requireConfig, secret } from '../../shared/config';

/** How customers prove who they are: the shop's identity provider, or (developing) the local secret. */
export type Identity =
  | { mode: 'jwks'; jwksUrl: string; issuer: string; audience: string; skewSeconds: number }
  | { mode: 'local'; secret: string; issuer?: string; audience?: string; skewSeconds: number };

export interface GatewayConfig {
  identity: Identity;
}

/** How far the identity provider's clock may be from ours when checking `exp`, `nbf` and `iat`. */
const ClockSkew = z.coerce.number().int().min(0).max(300).default(60);

/** Production: customers' tokens come from the shop's identity provider. */
const Production = z.object({
  AUTH_MODE: z.literal('jwks'),
  JWKS_URL: z.url({ protocol: /^https$/, error: "must be the https URL of the identity provider's JWKS" }),
  ISSUER: z.string({ error: 'is not set' }).min(1, 'must name the issuer (iss) the identity provider signs with'),
  AUDIENCE: z.string({ error: 'is not set' }).min(1, 'must name the audience (aud) tokens for this API carry'),
  CLOCK_SKEW_SECONDS: ClockSkew,
});

/** Local development: HS256 tokens signed with JWT_SECRET (`npm run token`). */
const Development = z.object({
  AUTH_MODE: z.literal('local'),
  // HS256 needs a key at least as long as its hash (RFC 7518 §3.2).
  JWT_SECRET: secret(32),
  ISSUER: optional(z.string()),
  AUDIENCE: optional(z.string()),
  CLOCK_SKEW_SECONDS: ClockSkew,
});

const Config = z
  .discriminatedUnion('AUTH_MODE', [Production, Development], {
    error: 'must be "jwks" (production: tokens from the identity provider) or "local" (development: HS256 with JWT_SECRET)',
  })
  .transform(
    (e): GatewayConfig => ({
      identity:
        e.AUTH_MODE === 'jwks'
          ? { mode: 'jwks', jwksUrl: e.JWKS_URL, issuer: e.ISSUER, audience: e.AUDIENCE, skewSeconds: e.CLOCK_SKEW_SECONDS }
          : { mode: 'local', secret: e.JWT_SECRET, issuer: e.ISSUER, audience: e.AUDIENCE, skewSeconds: e.CLOCK_SKEW_SECONDS },
    }),
  );

/** The gateway's configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const gatewayConfig = (env: Env): GatewayConfig => requireConfig('gateway', Config, env);

/** Whether the gateway serves with `env`, and if not, why. */
export const checkGatewayConfig = (env: object) => checkConfig('gateway', Config, env);
