import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { embeddablePageHeaders } from '../../http/securityHeaders.ts';

/**
 * `GET /`: the demo page, a small fake shop that embeds the widget (`/widget.js`). Read once at
 * start. Its policy (securityHeaders.ts): its own inline styles, the widget script from this
 * host, the widget's API calls and live stream to this host, photo previews (blob:) — nothing
 * from elsewhere; it may be framed by this host and the widget's origins only.
 */
export function demoRoutes(options: { frameAncestors: readonly string[] }): FastifyPluginAsync {
  const page = readFileSync(new URL('./demo.html', import.meta.url), 'utf8');
  const headers = embeddablePageHeaders(options.frameAncestors);
  return async (app) => {
    app.get('/', { helmet: headers }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  };
}
