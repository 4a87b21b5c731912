/**
 * `[vars]` overrides of the system-test topologies: short clocks, so timeouts, retries and dead
 * letters show in seconds.
 */
export const SYSTEM_VARS: Record<string, Record<string, string>> = {
  // Development identity, whatever an older .dev.vars says (wrangler.toml's default is production's jwks).
  // These tests place bursts on a shared machine and expect them accepted; admission control is
  // shown by its own test and by the bench (`npm run bench -- --rate 30 --seconds 60`).
  'wrangler.toml': { AUTH_MODE: 'local', ADMISSION_MAX_LAG_MS: '60000' },
  // The saga asks again after 5 s, once, then cancels.
  'workers/orders/wrangler.toml': { SAGA_TIMEOUT_SECONDS: '5', SAGA_MAX_NUDGES: '1' },
  // A webhook delivery is dead-lettered after 2 attempts, so the dead-letter console can be shown in seconds.
  // Receivers in these tests run on this machine, which production never allows.
  'workers/notifications/wrangler.toml': { WEBHOOK_MAX_ATTEMPTS: '2', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
  // Payments gives up on a provider that never answers after 6 s (before the saga would), and declines with a reason.
  'workers/payments/wrangler.toml': { PAYMENT_GIVE_UP_SECONDS: '6' },
};
