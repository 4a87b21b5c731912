import * as z from 'zod';

/** The router reads no settings yet; the empty schema is where the next one gets checked. */
export const RouterConfig = z.object({});
