import { z } from 'zod';
import { defineEvent } from './envelope';

export const NotificationSent = defineEvent(
  'notification.sent',
  z.object({
    orderId: z.uuid(),
    channel: z.literal('email'),
    to: z.string(),
    subject: z.string(),
  }),
);
