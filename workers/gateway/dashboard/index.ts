import type { OpenAPIHono } from '@hono/zod-openapi';
import { operatorFor, SESSION_OPERATOR, type WithSessionOperator } from '../auth';
import type { AppEnv } from '../context';
import { APP_SCRIPT } from './app-script';
import { dashboardHeaders, dashboardPage, signInPage } from './pages';
import { currentSession, endSession, requireSession, sameOrigin, startSession } from './session';

/**
 * The operations dashboard at `/`: a sign-in page, the page itself (server-rendered shell, one
 * script), and /dashboard/api/*, which answers the admin API (/v1/admin/*) for a signed-in operator.
 */
export function registerDashboard(app: OpenAPIHono<AppEnv>) {
  app.get('/', async (c) => {
    const signedIn = await currentSession(c);
    return c.html(signedIn ? dashboardPage(signedIn.session.csrf, signedIn.operator) : signInPage(), 200, dashboardHeaders);
  });

  app.post('/dashboard/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const key = typeof form.key === 'string' ? form.key : '';
    const operator = sameOrigin(c) && key ? await operatorFor(c, key) : undefined;
    if (!operator) return c.html(signInPage('That is not an operator key this gateway knows.'), 401, dashboardHeaders);
    await startSession(c, operator);
    return c.redirect('/', 303);
  });

  app.post('/dashboard/sign-out', async (c) => {
    const signedIn = await currentSession(c);
    const form = await c.req.parseBody();
    if (signedIn && sameOrigin(c) && form.csrf === signedIn.session.csrf) endSession(c);
    return c.redirect('/', 303);
  });

  app.get('/dashboard/app.js', (c) =>
    c.body(APP_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }),
  );

  // The admin API, for the session's operator: the same routes, scopes, validation, audit and
  // answers as with their bearer key, which the gateway does not have (it keeps only hashes).
  app.use('/dashboard/api/*', requireSession());
  app.all('/dashboard/api/*', async (c) => {
    const url = new URL(c.req.url);
    url.pathname = url.pathname.replace(/^\/dashboard\/api\//, '/v1/admin/');
    const headers = new Headers({ 'x-request-id': c.get('requestId') });
    const type = c.req.header('content-type');
    if (type) headers.set('content-type', type);
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.arrayBuffer();
    const env: WithSessionOperator = { ...c.env, [SESSION_OPERATOR]: c.get('operator') };
    const answer = await app.fetch(new Request(url, { method: c.req.method, headers, body }), env, c.executionCtx);
    return new Response(answer.body, {
      status: answer.status,
      headers: { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' },
    });
  });
}
