// Test-only bindings that vitest.config.ts adds to the bench's synchronous chain.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    TEST_MAIL_MIGRATIONS: import('cloudflare:test').D1Migration[];
    SIMULATED_LATENCY_MS: string;
  }
}
