import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

/**
 * The demo page's policy: its own inline styles, the widget script from this host, the widget's
 * API calls and live stream to this host, and photo previews (blob:) — nothing from elsewhere.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** `GET /`: the demo page, a small fake shop that embeds the widget (`/widget.js`). Read once at start. */
export function demoRoutes(): FastifyPluginAsync {
  const page = readFileSync(new URL('./demo.html', import.meta.url), 'utf8');
  return async (app) => {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(page));
  };
}
