import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ConversationGateway } from '../../bot/conversationGateway.ts';
import { bearerToken } from './auth.ts';
import { parseBody } from './schemas.ts';

const HEARTBEAT_MS = 25_000;
const StreamQuery = z.object({ watermark: z.coerce.number().int().min(0).default(0), access_token: z.string().optional() });
const LastEventId = z.coerce.number().int().min(0);

/**
 * `GET /v1/conversations/{id}/stream`: the conversation live, as server-sent events — every
 * activity after the watermark (or the `Last-Event-ID` a reconnecting EventSource sends), then
 * each new one as it is committed on any instance (agent replies, case updates). Event ids are
 * transcript seqs, so a dropped connection resumes exactly where it stopped.
 */
export function streamRoutes(options: { gateway: ConversationGateway }): FastifyPluginAsync {
  const { gateway } = options;
  return async (app) => {
    const open = new Set<ServerResponse>();
    // Streams never end by themselves; end them so the server can close.
    app.addHook('preClose', async () => {
      for (const response of open) response.end();
    });

    app.get('/v1/conversations/:id/stream', async (request, reply) => {
      const { id } = request.params as { id: string };
      const record = await gateway.authenticate(id, bearerToken(request, { allowQuery: true }));
      const query = parseBody(StreamQuery, request.query);
      const resumeFrom = request.headers['last-event-id'];
      const after = resumeFrom === undefined ? query.watermark : parseBody(LastEventId, resumeFrom);
      // HEAD (Fastify answers it with this handler): the headers only. A hijacked HEAD reply never
      // sends them (Node holds them until the body ends), which left the connection hanging.
      if (request.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache, no-transform').send();

      reply.hijack();
      const response = reply.raw;
      // Headers set through the reply (CORS for the widget's origins) are not written for a
      // hijacked reply: pass them on, or a merchant page's EventSource is refused.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) response.setHeader(name, value);
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      response.write('retry: 3000\n\n');
      open.add(response);
      const stop = gateway.follow(
        record,
        after,
        (activity, seq) => response.write(`id: ${seq}\nevent: activity\ndata: ${JSON.stringify(activity)}\n\n`),
        (error) => {
          request.log.warn({ err: error, conversationId: record.id }, 'live stream stopped');
          response.end();
        },
      );
      const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      response.on('close', () => {
        clearInterval(heartbeat);
        stop();
        open.delete(response);
      });
    });
  };
}
