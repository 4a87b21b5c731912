import * as z from 'zod';
import { defineEvent } from './envelope';

/** Version 2 added `channel` (version 1 was e-mail only; see upcast.ts). */
export const NotificationSent = defineEvent(
  'notification.sent',
  z.object({
    orderId: z.uuid(),
    channel: z.literal('email'),
    to: z.string(),
    subject: z.string(),
  }),
  2,
);
