import { z } from 'zod';
import { requireConfig } from '../../shared/config';

/** What notifications needs from its environment, checked before it serves or consumes anything. */
export const NotificationsConfig = z
  .object({
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(20),
  })
  .transform((e) => ({ webhookMaxAttempts: e.WEBHOOK_MAX_ATTEMPTS }));
export type NotificationsConfig = z.output<typeof NotificationsConfig>;

/** The configuration, or a thrown 503 `misconfigured` after one log line naming the problems. */
export const notificationsConfig = (env: Env): NotificationsConfig => requireConfig('notifications', NotificationsConfig, env);
