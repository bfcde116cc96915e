import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Clock } from '../../domain/clock.ts';
import { bearerToken } from './auth.ts';
import { verifyCustomerToken } from './customerToken.ts';
import type { ConversationGateway } from '../../bot/conversationGateway.ts';
import { CreateConversationBody, checkActivityLimits, HistoryQuery, IdempotencyKeyHeader, parseBody, PostActivityBody } from './schemas.ts';

/**
 * The conversation API (SPEC §6) — transport only: authenticate, validate, pass the activity to
 * the gateway, return what the bot said.
 */
export function conversationRoutes(options: { gateway: ConversationGateway; customerTokenSecret: string | undefined; clock: Clock }): FastifyPluginAsync {
  const { gateway, customerTokenSecret, clock } = options;
  const conversationIdOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  return async (app) => {
    app.post('/v1/conversations', async (request, reply) => {
      const body = parseBody(CreateConversationBody, request.body);
      const vouched = body.customerToken ? verifyCustomerToken(body.customerToken, customerTokenSecret, clock.now()) : undefined;
      const started = await gateway.start({ channel: 'api', locale: body.locale ?? 'en', ...(vouched ? { customerId: vouched.customerId } : {}) });
      return reply.status(201).send(started);
    });

    app.post('/v1/conversations/:id/activities', async (request) => {
      const record = await gateway.authenticate(conversationIdOf(request), bearerToken(request));
      const body = parseBody(PostActivityBody, request.body);
      checkActivityLimits(body);
      const idempotencyKey = parseBody(IdempotencyKeyHeader, request.headers['idempotency-key']);
      const activities = await gateway.send(record, idempotencyKey === undefined ? body : { ...body, idempotencyKey });
      return { activities };
    });

    app.get('/v1/conversations/:id/activities', async (request) => {
      const record = await gateway.authenticate(conversationIdOf(request), bearerToken(request));
      const query = parseBody(HistoryQuery, request.query);
      return gateway.history(record, query.watermark);
    });
  };
}
