import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, LogController } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import helmet from 'helmet';
import { asCodedError, CodedError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { SECURITY_HEADERS } from './securityHeaders.ts';

/** Largest request body: 5 attachments of 10 MB, base64-encoded (×4/3), plus the text. */
export const MAX_BODY_BYTES = 70 * 1024 * 1024;

/** Fastify's own 4xx errors, named in our error vocabulary. */
const FRAMEWORK_CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  413: 'too_large',
  415: 'unsupported_media_type',
};

/**
 * The HTTP server: routes come from the channels as plugins. Errors become the JSON error shape
 * `{ error: { code, message } }` here and only here; clients never see a stack trace.
 */
export function createHttpServer(options: {
  logger: Logger;
  plugins: FastifyPluginAsync[];
  /** Other sites whose pages may call the customer-facing API (the embedded widget): origins and the paths open to them. */
  cors?: { origins: string[]; paths: RegExp };
  /** Proxies believed about the client's address (TRUST_PROXY, Fastify `trustProxy`); none by default. */
  trustProxy?: boolean | string[];
}): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    trustProxy: options.trustProxy ?? false,
    // Per-request lines would double the log volume; errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: true,
  });

  app.setErrorHandler((error: Error & { statusCode?: unknown }, request, reply) => {
    const status = typeof error.statusCode === 'number' ? error.statusCode : undefined;
    if (!(error instanceof CodedError) && status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: FRAMEWORK_CODES[status] ?? 'bad_request', message: error.message } });
    }
    const coded = asCodedError(error);
    if (coded.fault === 'customer') {
      return reply.status(coded.status).send({ error: { code: coded.code, message: coded.message } });
    }
    // The path only: query strings can carry tokens (access_token on streams and downloads).
    request.log.error({ err: error, code: coded.code, method: request.method, path: request.url.split('?')[0] }, 'request failed');
    const message = coded.fault === 'upstream' ? 'a service we depend on is unavailable; try again later' : 'something went wrong on our side';
    return reply.status(coded.status >= 500 ? coded.status : 500).send({ error: { code: coded.code, message } });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } });
  });

  // Security headers on every response, before any route is added. Pages with headers of their
  // own (a CSP with nonces, frame-ancestors) get them from @fastify/helmet per route; every
  // other response from one helmet middleware built here once: @fastify/helmet builds a new
  // one per request, which cost a fifth of the API's turns per second (npm run bench).
  app.register(fastifyHelmet, { ...(SECURITY_HEADERS as FastifyHelmetOptions), global: false });
  const securityHeaders = helmet(SECURITY_HEADERS);
  app.addHook('onRequest', (request, reply, done) => {
    // @fastify/helmet moves a route's `helmet` option into its config.
    if ((request.routeOptions.config as { helmet?: unknown } | undefined)?.helmet !== undefined) return done();
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });

  const cors = options.cors;
  if (cors && cors.origins.length > 0) {
    // Only the customer-facing conversation API is open to other origins; staff APIs never are.
    app.register(fastifyCors, {
      delegator: (request, callback) => {
        const open = cors.paths.test(request.url ?? '');
        callback(null, { origin: open ? cors.origins : false, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'last-event-id'], exposedHeaders: ['retry-after'], maxAge: 600 });
      },
    });
  }
  for (const plugin of options.plugins) app.register(plugin);
  return app;
}
