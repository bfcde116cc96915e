import type { FastifyPluginAsync } from 'fastify';

/** `GET /healthz`: 200 when the store answers, 503 otherwise (for load balancers). */
export function healthRoutes(options: { ping: () => Promise<void> }): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async (request, reply) => {
      try {
        await options.ping();
        return { status: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, 'health check failed');
        return reply.status(503).send({ status: 'unavailable' });
      }
    });
  };
}
