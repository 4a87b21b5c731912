import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AuditEntry, AuditQuery } from '../../../shared/audit';
import { unwrap } from '../../../shared/errors';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { errors, json } from '../schemas';

const AuditPage = z
  .object({ items: z.array(AuditEntry.openapi('AuditEntry')), nextCursor: z.string().nullable() })
  .openapi('AuditLog');

const listAudit = createRoute({
  method: 'get',
  path: '/v1/admin/audit',
  tags: ['operations'],
  summary: 'Every admin action, newest first: who, what, when, outcome',
  description:
    'Refused actions of known operators are included; requests without a valid operator key are not (they are logged).',
  ...operatorRoute('read', 'audit.list'),
  request: { query: AuditQuery },
  responses: { 200: { description: 'A page of the audit log', content: json(AuditPage) }, ...errors(400, 401, 403) },
});

export type AuditPage = z.infer<typeof AuditPage>;

export function registerAudit(app: OpenAPIHono<AppEnv>) {
  app.openapi(listAudit, async (c) => c.json(unwrap(await services(c.env).router.listAudit(c.req.valid('query'))), 200));
}
