import { createHash } from 'node:crypto';
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { hitClockWindow, secondsUntil } from '../../abuse/clockWindow.ts';
import { RateLimitedError } from '../../abuse/rateLimited.ts';
import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { RateLimitStore } from '../../stores/ports.ts';
import { bearerToken } from './auth.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Counters kept per limiter in memory (least recently used dropped first). */
const COUNTERS = 50_000;

/** The customer API's limits; 0 turns one off. */
export interface CustomerApiLimits {
  perIpPerMinute: number;
  perConversationPerMinute: number;
  conversationsPerIpPerHour: number;
}

/**
 * The customer-facing conversation API (`routes`: /v1/conversations…, its stream and files)
 * behind abuse limits, in a scope of its own so the limits reach exactly these routes — never
 * the channel webhooks (Slack, WeChat, /api/messages: all their customers share the platform's
 * addresses), nor staff APIs (the admin token guards those; limiting them would throttle the
 * merchant's own tools).
 *
 * - Requests per client address and per conversation per minute: @fastify/rate-limit's
 *   in-memory store, per instance (a shared store would cost every turn a Redis round trip;
 *   its windows follow the process's real time, not the injected clock). Checked `onRequest`,
 *   before a body is read.
 * - Conversation starts per client address per hour: the shared RateLimitStore, so the cap
 *   holds across instances; windows follow the injected clock.
 *
 * The client address is `request.ip`: the connection's address unless TRUST_PROXY names the
 * proxies allowed to say otherwise (Fastify `trustProxy`). IPv6 addresses count per /64.
 */
export function customerApiLimits(options: {
  limits: CustomerApiLimits;
  /** Shared counters (the conversation-start cap). */
  store: RateLimitStore;
  clock: Clock;
  logger: Logger;
  routes: FastifyPluginAsync[];
}): FastifyPluginAsync {
  const { limits, store, clock, logger, routes } = options;
  return async (app) => {
    // Registered in this scope only; `global: false`: no route gets the plugin's default limit.
    await app.register(fastifyRateLimit, { global: false });
    // Two limiters, each with counters of its own. `cache` is read by the store, though the
    // options type leaves it out.
    const perIp = limits.perIpPerMinute > 0
      ? app.createRateLimit({ max: limits.perIpPerMinute, timeWindow: MINUTE_MS, keyGenerator: (request) => `ip:${clientAddress(request)}`, cache: COUNTERS } as Parameters<typeof app.createRateLimit>[0])
      : undefined;
    const perConversation = limits.perConversationPerMinute > 0
      ? app.createRateLimit({ max: limits.perConversationPerMinute, timeWindow: MINUTE_MS, keyGenerator: conversationKey, cache: COUNTERS } as Parameters<typeof app.createRateLimit>[0])
      : undefined;

    app.addHook('onRequest', async (request, reply) => {
      if (perIp) refuseIfExceeded(await perIp(request), reply, 'too many requests from your address; try again later');
      if (perConversation && conversationIdOf(request)) {
        refuseIfExceeded(await perConversation(request), reply, 'too many requests in this conversation; try again later');
      }
      if (limits.conversationsPerIpPerHour > 0 && request.method === 'POST' && request.routeOptions.url === '/v1/conversations') {
        const address = clientAddress(request);
        const hit = await hitClockWindow(store, clock, `conversation-starts:${address}`, HOUR_MS);
        if (hit.count > limits.conversationsPerIpPerHour) {
          const seconds = secondsUntil(hit.resetAt, clock);
          // Once per address and window: an attacker's flood must not flood the logs too.
          if (hit.count === limits.conversationsPerIpPerHour + 1) {
            logger.warn({ limit: 'conversations_per_ip_per_hour', ip: address, max: limits.conversationsPerIpPerHour, resetAt: hit.resetAt.toISOString() }, 'conversation starts refused for an address');
          }
          reply.header('retry-after', String(seconds));
          throw new RateLimitedError(`too many new conversations from your address; try again in ${seconds} seconds`, seconds);
        }
      }
    });

    for (const routesPlugin of routes) await app.register(routesPlugin);
  };
}

type LimitResult = Awaited<ReturnType<ReturnType<import('fastify').FastifyInstance['createRateLimit']>>>;

function refuseIfExceeded(result: LimitResult, reply: FastifyReply, message: string): void {
  if (result.isAllowed || !result.isExceeded) return;
  const seconds = Math.max(1, result.ttlInSeconds);
  reply.header('retry-after', String(seconds));
  throw new RateLimitedError(`${message} (in ${seconds} seconds)`, seconds);
}

/** The client's address as a limit key: IPv4-mapped IPv6 as IPv4, other IPv6 by /64. */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

function conversationIdOf(request: FastifyRequest): string | undefined {
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/**
 * A conversation's counter: its id with a fingerprint of the bearer token presented, so that
 * someone who merely knows a conversation id (it appears in logs and on the agent desk) cannot
 * use up its owner's allowance; their own requests fail authentication and count against their
 * address.
 */
function conversationKey(request: FastifyRequest): string {
  const token = bearerToken(request, { allowQuery: true }) ?? '';
  const fingerprint = createHash('sha256').update(token).digest('base64url').slice(0, 16);
  return `conversation:${conversationIdOf(request) ?? ''}:${fingerprint}`;
}
