import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { ReplayInput } from '../../../shared/api';
import { unwrap } from '../../../shared/errors';
import * as responses from '../../../shared/responses';
import { DeadLetterSummary, RebuildAnswer, ReplayAnswer, SalesReport } from '../../../shared/responses';
import { operatorRoute } from '../auth';
import { type AppEnv, services } from '../context';
import { AdminPageQuery, errors, Freshness, json, PageOf } from '../schemas';

const tags = ['operations'];

const DeadLetter = DeadLetterSummary.openapi('DeadLetter');
const DeadLetterDetail = responses.DeadLetterDetail.openapi('DeadLetterDetail');
const Id = z.object({
  id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, YYYY-MM-DD');

const routes = {
  listDeadLetters: createRoute({
    method: 'get',
    path: '/v1/admin/dead-letters',
    tags,
    summary: 'Messages that failed for good, newest first, with why',
    ...operatorRoute('read', 'dead-letter.list'),
    request: { query: AdminPageQuery },
    responses: {
      200: { description: 'Dead letters', content: json(PageOf(DeadLetter, 'DeadLetterPage')) },
      ...errors(400, 401, 403),
    },
  }),
  getDeadLetter: createRoute({
    method: 'get',
    path: '/v1/admin/dead-letters/{id}',
    tags,
    summary: 'One dead letter, with its message',
    ...operatorRoute('read', 'dead-letter.inspect'),
    request: { params: Id },
    responses: { 200: { description: 'The dead letter', content: json(DeadLetterDetail) }, ...errors(401, 403, 404) },
  }),
  redrive: createRoute({
    method: 'post',
    path: '/v1/admin/dead-letters/{id}/redrive',
    tags,
    summary: 'Send it back to the queue it came from',
    description: 'It leaves the list; if it fails again it comes back with the new reason.',
    ...operatorRoute('operate', 'dead-letter.redrive'),
    request: { params: Id },
    responses: { 202: { description: 'Redriven', content: json(DeadLetterDetail) }, ...errors(401, 403, 404, 409) },
  }),
  discard: createRoute({
    method: 'delete',
    path: '/v1/admin/dead-letters/{id}',
    tags,
    summary: 'Drop it for good',
    ...operatorRoute('operate', 'dead-letter.discard'),
    request: { params: Id },
    responses: { 204: { description: 'Discarded' }, ...errors(401, 403, 404) },
  }),
  replay: createRoute({
    method: 'post',
    path: '/v1/admin/replay',
    tags,
    summary: 'Send archived events of a time range again',
    description: 'To every subscriber by default, or to the chosen ones; consumers dedup, so it is safe to repeat.',
    ...operatorRoute('operate', 'archive.replay'),
    request: { body: { content: json(ReplayInput.openapi('Replay')), required: true } },
    responses: {
      202: { description: 'Replayed', content: json(ReplayAnswer.openapi('ReplayAnswer')) },
      ...errors(400, 401, 403),
    },
  }),
  rebuild: createRoute({
    method: 'post',
    path: '/v1/admin/rebuild',
    tags,
    summary: 'Rebuild every read model from the archive',
    description: 'Builds fresh tables, swaps them in at once; reads keep working meanwhile.',
    ...operatorRoute('operate', 'read-model.rebuild'),
    responses: {
      200: { description: 'Rebuilt', content: json(RebuildAnswer.openapi('RebuildAnswer')) },
      ...errors(401, 403),
    },
  }),
  sales: createRoute({
    method: 'get',
    path: '/v1/admin/reports/sales',
    tags,
    summary: 'Sales per SKU per day, and orders per status',
    ...operatorRoute('read', 'report.sales'),
    request: { query: z.object({ from: Day, to: Day }) },
    responses: {
      200: {
        description: 'The report and how fresh it is',
        content: json(SalesReport.extend({ freshness: Freshness }).openapi('SalesReport')),
      },
      ...errors(400, 401, 403),
    },
  }),
};

export function registerOperations(app: OpenAPIHono<AppEnv>) {
  const router = (env: Env) => services(env).router;

  app.openapi(routes.listDeadLetters, async (c) =>
    c.json(unwrap(await router(c.env).listDeadLetters(c.req.valid('query'))), 200),
  );
  app.openapi(routes.getDeadLetter, async (c) => c.json(unwrap(await router(c.env).getDeadLetter(c.req.valid('param').id)), 200));
  app.openapi(routes.redrive, async (c) => {
    const redriven = unwrap<responses.DeadLetterDetail>(await router(c.env).redriveDeadLetter(c.req.valid('param').id));
    // The event goes round again in this request's trace: its span belongs to the order too.
    if (redriven.orderId) c.set('orderId', redriven.orderId);
    return c.json(redriven, 202);
  });
  app.openapi(routes.discard, async (c) => {
    unwrap(await router(c.env).discardDeadLetter(c.req.valid('param').id));
    return c.body(null, 204);
  });
  app.openapi(routes.replay, async (c) => {
    return c.json(unwrap(await router(c.env).replay(c.req.valid('json'))), 202);
  });
  app.openapi(routes.rebuild, async (c) => c.json(unwrap(await services(c.env).query.rebuild()), 200));
  app.openapi(routes.sales, async (c) => {
    const { from, to } = c.req.valid('query');
    return c.json(unwrap(await services(c.env).query.salesReport(from, to)), 200);
  });
}
