import * as z from 'zod';
import { BusBindings } from '../../shared/bus';
import { requireConfig } from '../../shared/config';
import type { OutboundPolicy } from '../../shared/outbound';

/** `host` or `host:port`, comma-separated. */
const HostList = z
  .string()
  .optional()
  .transform((text) => (text ?? '').split(/[\s,]+/).filter(Boolean))
  .refine(
    (hosts) => hosts.every((h) => /^[a-z0-9.-]+(:\d{1,5})?$/i.test(h)),
    'must be host names or IPv4 addresses, each with an optional :port',
  );

/** What notifications needs from its environment, checked before it serves or consumes anything. */
export const NotificationsConfig = z
  .object({
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(20),
    WEBHOOK_ALLOWED_HOSTS: HostList,
  })
  .and(BusBindings)
  .transform((e) => ({
    webhookMaxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    outbound: { allowedHosts: e.WEBHOOK_ALLOWED_HOSTS } satisfies OutboundPolicy,
  }));
export type NotificationsConfig = z.output<typeof NotificationsConfig>;

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const notificationsConfig = (env: Env): NotificationsConfig => requireConfig('notifications', NotificationsConfig, env);
