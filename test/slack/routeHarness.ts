import type { FastifyInstance } from 'fastify';
import type { ActFn } from '../../src/channels/slack-desk/interactions.ts';
import { slackDeskRoutes } from '../../src/channels/slack-desk/routes.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import type { ActionResult, Agent, AgentAction } from '../../src/handoff/types.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import type { SignedRequest } from '../support/slackSigner.ts';
import { type SlackStandIn, startSlackStandIn } from '../support/slackStandIn.ts';
import { deskView } from './fixtures.ts';
import { AGENT_CHANNEL, captureLogger, clientFor } from './harness.ts';

export const SIGNING_SECRET = 'e3b0c44298fc1c149afbf4c8996fb924';
export const CARD_TS = '1760000000.000001';
export const AGENT = { id: 'U0AGENT01', username: 'wang.fang', real: 'Wang Fang', display: 'Fang' };
export const OUTSIDER = 'U0OUTSIDE';

export interface ActCall {
  conversationId: string;
  agent: Agent;
  action: AgentAction;
}

export interface RouteHarness {
  url: string;
  standIn: SlackStandIn;
  clock: FixedClock;
  /** Seconds since the epoch, as Slack's timestamp header. */
  now(): number;
  acts: ActCall[];
  /** What the fake `act` answers next (default: ok). */
  answer: (call: ActCall) => Promise<ActionResult> | ActionResult;
  send(request: SignedRequest, headers?: Record<string, string>): Promise<Response>;
  /** Closes the server, waiting for listeners still at work: then every `act` has happened. */
  finish(): Promise<void>;
  cleanup(): Promise<void>;
  server: FastifyInstance;
  logs: ReturnType<typeof captureLogger>;
}

/**
 * The Slack route mounted in the project's real HTTP server on 127.0.0.1, with real embedded
 * stores, a Slack Web API stand-in, and a fake `act` that records calls (the handoff service is
 * tested on its own).
 */
export async function startRouteHarness(options: { usergroup?: string; extraPlugins?: Parameters<typeof createHttpServer>[0]['plugins'] } = {}): Promise<RouteHarness> {
  const standIn = await startSlackStandIn();
  standIn.setChannelMembers(AGENT_CHANNEL, [standIn.botUserId, AGENT.id, 'U0AGENT02']);
  standIn.setUser({ id: AGENT.id, name: AGENT.username, real_name: AGENT.real, display_name: AGENT.display });
  standIn.setUser({ id: 'U0AGENT02', name: 'li.na', real_name: 'Li Na' });
  const stores = await makeSqliteHarness();
  await stores.stores.desk.setThread('conv-1', { channel: AGENT_CHANNEL, ts: CARD_TS });
  const clock = new FixedClock('2026-11-10T09:00:00.000Z');
  const logs = captureLogger();
  const acts: ActCall[] = [];
  const harness = {} as RouteHarness;
  const act: ActFn = async (conversationId, agent, action) => {
    const call = { conversationId, agent, action };
    acts.push(call);
    return harness.answer(call);
  };
  const server = createHttpServer({
    logger: logs.logger,
    plugins: [
      slackDeskRoutes({
        act,
        deskStore: stores.stores.desk,
        idempotency: stores.stores.idempotency,
        client: clientFor(standIn, logs.logger),
        agentChannel: AGENT_CHANNEL,
        ...(options.usergroup ? { agentUsergroup: options.usergroup } : {}),
        signingSecret: SIGNING_SECRET,
        logger: logs.logger,
        clock,
        slackApiUrl: standIn.url,
      }),
      ...(options.extraPlugins ?? []),
    ],
  });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/slack/events`;
  let closed = false;
  const finish = async () => {
    if (closed) return;
    closed = true;
    await server.close();
  };
  Object.assign(harness, {
    url,
    standIn,
    clock,
    now: () => Math.floor(clock.now().getTime() / 1000),
    acts,
    answer: () => ({ ok: true, view: deskView() }),
    send: (request: SignedRequest, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { ...request.headers, ...headers }, body: request.body }),
    finish,
    async cleanup() {
      await finish();
      await standIn.close();
      await stores.cleanup();
    },
    server,
    logs,
  });
  return harness;
}
