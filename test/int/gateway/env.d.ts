// Test-only bindings that vitest.config.ts adds to the gateway.
declare namespace Cloudflare {
  interface Env {
    /** The stub identity provider's private keys (JWK, by algorithm) and a shared secret it must never honour. */
    TEST_IDENTITY_KEYS: string;
  }
}
