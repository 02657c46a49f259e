import type { FastifyInstance } from 'fastify';

/** What a person who opens the server's address in a browser sees until the web apps exist. */
const HOME_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carepoints · 收款有保障</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f1f1f}a{color:#1677ff}code{background:#f5f5f5;padding:0 .3em}</style>
</head><body>
<h1>Carepoints</h1>
<p>收得越多，保障越多 — merchants earn outpatient-care credit from the payments they collect and spend it on their own care.</p>
<ul>
<li><a href="/docs">API documentation (OpenAPI)</a> · <a href="/docs/json">OpenAPI JSON</a></li>
<li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a></li>
</ul>
<p>The development API keys are printed in the server log at start and kept in <code>data/api-keys.json</code>.</p>
</body></html>`;

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(HOME_PAGE));
}
