import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../errors.ts';
import type { HandoffService } from '../../handoff/handoffService.ts';
import { adminGuard } from '../../http/adminAuth.ts';
import { sameOriginGuard } from '../../http/csrf.ts';
import { CONSOLE_PAGE_HEADERS, withNonces } from '../../http/securityHeaders.ts';
import { isBrowserModuleName, loadBrowserModules } from '../../insight/browserModules.ts';
import { parseBody } from '../api/schemas.ts';

const ActionBody = z.object({
  /** The person acting, shown to the customer and recorded in the audit trail. */
  agent: z.string().trim().min(1).max(80),
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('take_over') }),
    z.object({ kind: z.literal('reply'), text: z.string().trim().min(1).max(4000) }),
    z.object({ kind: z.literal('approve'), amount: z.number().positive().optional() }),
    z.object({ kind: z.literal('deny'), reason: z.string().trim().min(1).max(1000) }),
    z.object({ kind: z.literal('hand_back') }),
  ]),
});

/** HTTP statuses of refusals: the action made sense but the conversation is no longer in that state. */
const REFUSAL_STATUS = { stale: 409, held_by_other: 409, amount_too_high: 400, no_case: 409, not_found: 404, orders_unavailable: 503 } as const;

/**
 * The built-in agent desk, for shops without Slack: `GET /agent` is a page that lists the
 * conversations with people and lets a person reply, approve, deny, take over or hand back;
 * it talks to the JSON API under `/v1/desk`, which needs `ADMIN_TOKEN` like the case API.
 * Its Insight tab (`/agent/insight`) shows the merchant's figures from `GET /v1/stats`.
 */
export function agentRoutes(options: {
  handoff: HandoffService;
  adminToken: string | undefined;
  /** PUBLIC_URL: where the console may also be opened (behind a proxy that rewrites Host). */
  publicUrl: string | undefined;
}): FastifyPluginAsync {
  const { handoff } = options;
  const requireAdmin = adminGuard(options.adminToken);
  const sameOrigin = sameOriginGuard({ publicUrl: options.publicUrl });
  const page = readFileSync(new URL('./agent.html', import.meta.url), 'utf8');
  const modules = loadBrowserModules();

  return async (app) => {
    // The page holds no data; everything it shows comes from the token-protected API.
    // `/agent/insight` is the same page opening on the merchant's figures (links in the digest).
    // Its inline script and style blocks run by this response's CSP nonces, nothing else inline.
    const sendPage = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(withNonces(page, reply.cspNonce));
    app.get('/agent', { helmet: CONSOLE_PAGE_HEADERS }, sendPage);
    app.get('/agent/insight', { helmet: CONSOLE_PAGE_HEADERS }, sendPage);

    // The chart and format code the insight view runs (no data: public like the page).
    app.get('/agent/insight/:module', async (request, reply) => {
      const name = (request.params as { module: string }).module;
      if (!isBrowserModuleName(name)) throw new InputError('not_found', 'no such module', 404);
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(modules[name]);
    });

    app.get('/v1/desk/conversations', async (request) => {
      requireAdmin(request);
      return { conversations: await handoff.open() };
    });

    app.get('/v1/desk/conversations/:id', async (request) => {
      requireAdmin(request);
      const view = await handoff.view((request.params as { id: string }).id);
      if (!view) throw new InputError('conversation_not_found', 'no such conversation', 404);
      return view;
    });

    app.post('/v1/desk/conversations/:id/actions', { onRequest: sameOrigin }, async (request, reply) => {
      requireAdmin(request);
      const { agent, action } = parseBody(ActionBody, request.body);
      const result = await handoff.act((request.params as { id: string }).id, { id: `console:${agent}`, name: agent, via: 'console' }, action);
      if (result.ok) return result;
      return reply.status(REFUSAL_STATUS[result.refusal]).send({ error: { code: result.refusal, message: result.message }, view: result.view });
    });
  };
}
