import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conveyor API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

const INIT = "window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n";

/** The only files of the package the page needs; nothing else of node_modules is served. */
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

/**
 * The interactive API reference at /docs: Swagger UI from the `swagger-ui-dist` package, served as
 * the gateway's own static assets (`[assets]` in wrangler.toml), pinned by the lockfile, so it
 * works offline and behind a strict network.
 */
export function registerDocs(app: OpenAPIHono<AppEnv>) {
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (!ASSETS.has(file)) return c.notFound();
    const url = new URL(c.req.url);
    url.pathname = `/${file}`;
    const asset = await c.env.ASSETS.fetch(new Request(url));
    return new Response(asset.body, {
      status: asset.status,
      headers: { 'content-type': asset.headers.get('content-type') ?? '', 'cache-control': 'public, max-age=3600' },
    });
  });
}
