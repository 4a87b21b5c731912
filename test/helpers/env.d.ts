// Test-only bindings that vitest.config.ts adds to Workers with a D1 database.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
  }
}
