import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync } from 'fastify';

/**
 * `GET /widget.js`: the embeddable website chat widget (hand-written browser JavaScript, no build
 * step). Read and compressed once at start; served with an ETag, a short public cache lifetime
 * (merchants embed the unversioned URL, so a new release must reach pages within minutes) and
 * gzip when the browser accepts it.
 */
export function widgetRoutes(): FastifyPluginAsync {
  const source = readFileSync(new URL('./widget/widget.js', import.meta.url));
  const gzipped = gzipSync(source, { level: 9 });
  const etag = `"${createHash('sha256').update(source).digest('base64url').slice(0, 27)}"`;
  return async (app) => {
    app.get('/widget.js', async (request, reply) => {
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
        .header('etag', etag)
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff')
        .header('cross-origin-resource-policy', 'cross-origin');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(gzipped);
      return reply.send(source);
    });
  };
}
