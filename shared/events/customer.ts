import * as z from 'zod';
import { defineEvent } from './envelope';

/**
 * A customer was erased (GDPR Art. 17): the vault destroyed their key, so the personal data sealed
 * in their events — in the archive, the inboxes, every replay — can never be read again. Services
 * that kept anything about them in the clear forget it on hearing this. The subject is the customer id.
 */
export const CustomerErased = defineEvent(
  'customer.erased',
  z.object({
    customerId: z.string().min(1),
    erasedAt: z.iso.datetime(),
    /** How many of their orders' personal data became unreadable. */
    orders: z.int().nonnegative(),
  }),
);
