import * as z from 'zod';
import { BusBindings } from '../../shared/bus';

/** What inventory needs from its environment: holds must expire, and not within a blink; and the bus it answers on. */
export const InventoryConfig = z
  .object({
    RESERVATION_TTL_SECONDS: z.coerce.number({ error: 'must be a number' }).int().min(1).max(86_400),
  })
  .and(BusBindings);
