import * as z from 'zod';

/** What an operator may do; a key holds one or more. */
export const Scope = z.enum(['read', 'operate', 'catalog', 'webhooks', 'privacy']);
export type Scope = z.infer<typeof Scope>;

/** One admin action: who, what, when, and how it ended. */
export const AuditEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  actor: z.string().describe('The operator (the name their key was issued under)'),
  keyId: z.string().describe('The first 12 hex digits of the key hash: tells two keys of one operator apart during a rotation'),
  action: z.string().describe('What was done, e.g. dead-letter.redrive'),
  scope: Scope.nullable().describe('The scope the action needs; null for a route that does not exist'),
  method: z.string(),
  path: z.string(),
  target: z.string().nullable().describe('The id or SKU acted on'),
  status: z.int(),
  outcome: z.enum(['succeeded', 'refused', 'failed']).describe('2xx succeeded, 4xx refused, 5xx failed'),
  requestId: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  actor: z.string().max(64).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

/** The outcome of an action answered with `status`. */
export const outcomeOf = (status: number): AuditEntry['outcome'] =>
  status >= 500 ? 'failed' : status >= 400 ? 'refused' : 'succeeded';
