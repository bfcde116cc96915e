import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

/** `GET /`: the demo page, a minimal chat box on the conversation API. Read once at start. */
export function demoRoutes(): FastifyPluginAsync {
  const page = readFileSync(new URL('./demo.html', import.meta.url), 'utf8');
  return async (app) => {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'").send(page));
  };
}
