import { afterEach, describe, expect, it, vi } from 'vitest';
import { DESK_ACTIONS, DESK_VIEWS, encodeButtonValue } from '../../src/channels/slack-desk/actions.ts';
import type { ActFn } from '../../src/channels/slack-desk/interactions.ts';
import { AMOUNT_BLOCK, INPUT_ACTION } from '../../src/channels/slack-desk/modals.ts';
import { createSlackDeskSocketMode } from '../../src/channels/slack-desk/socketMode.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { type SlackStandIn, startSlackStandIn } from '../support/slackStandIn.ts';
import { type SocketModeStandIn, startSocketModeStandIn } from '../support/socketModeStandIn.ts';
import { deskView } from './fixtures.ts';
import { AGENT_CHANNEL, captureLogger, clientFor } from './harness.ts';
import { blockActions, threadMessageEvent, viewSubmission } from './payloads.ts';

/**
 * Socket Mode against local stand-ins: the Web API one hands out the WebSocket URL, the Socket
 * Mode one speaks Slack's envelope protocol. Not tested: Slack's real service (reconnects,
 * `disconnect` warnings, several connections per app).
 */
const APP_TOKEN = 'xapp-1-A0001DESK-1234-abcdef';
const CARD_TS = '1760000000.000001';
const AGENT_ID = 'U0AGENT01';

let standIn: SlackStandIn | undefined;
let socket: SocketModeStandIn | undefined;
let stores: Awaited<ReturnType<typeof makeSqliteHarness>> | undefined;
let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  await socket?.close();
  await standIn?.close();
  await stores?.cleanup();
  stop = undefined;
});

async function socketMode(appToken: string, act: ActFn = async () => ({ ok: true, view: deskView() })) {
  standIn = await startSlackStandIn();
  standIn.setChannelMembers(AGENT_CHANNEL, [AGENT_ID]);
  standIn.setUser({ id: AGENT_ID, name: 'wang.fang', display_name: 'Fang' });
  stores = await makeSqliteHarness();
  await stores.stores.desk.setThread('conv-1', { channel: AGENT_CHANNEL, ts: CARD_TS });
  const log = captureLogger();
  const desk = createSlackDeskSocketMode({
    appToken,
    slackApiUrl: standIn.url,
    act,
    deskStore: stores.stores.desk,
    idempotency: stores.stores.idempotency,
    client: clientFor(standIn, log.logger),
    agentChannel: AGENT_CHANNEL,
    logger: log.logger,
  });
  stop = () => desk.stop();
  return { desk, log };
}

describe('Socket Mode', () => {
  it('connects with the app token, acts on clicks and thread replies, and ignores a retried event', async () => {
    const acts: Parameters<ActFn>[] = [];
    const { desk, log } = await socketMode(APP_TOKEN, async (...args) => {
      acts.push(args);
      return { ok: true, view: deskView() };
    });
    socket = await startSocketModeStandIn();
    standIn?.acceptAppToken(APP_TOKEN, socket.url);
    await desk.start();
    await socket.connected();
    expect(standIn?.calls.find((call) => call.method === 'apps.connections.open')?.token).toBe(APP_TOKEN);

    const clickAck = await socket.push(
      'interactive',
      blockActions({ userId: AGENT_ID, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId: 'conv-1' }), channel: AGENT_CHANNEL, messageTs: CARD_TS }),
    );
    expect(clickAck).toEqual({ envelope_id: expect.any(String), payload: {} });

    const reply = threadMessageEvent({ userId: AGENT_ID, text: 'On it', channel: AGENT_CHANNEL, threadTs: CARD_TS, eventId: 'Ev0SOCKET1' });
    await socket.push('events_api', reply);
    await socket.push('events_api', reply, { retryAttempt: 1, retryReason: 'timeout' });
    await vi.waitFor(() => expect(log.lines().some((line) => line.msg === 'slack desk: repeated delivery ignored' && line.key === 'slack:event:Ev0SOCKET1')).toBe(true));
    await vi.waitFor(() => expect(acts).toHaveLength(2));
    // The click and the reply are handled concurrently: either may act first.
    expect(acts).toEqual(
      expect.arrayContaining([
        ['conv-1', { id: AGENT_ID, name: 'Fang', via: 'slack' }, { kind: 'take_over' }],
        ['conv-1', { id: AGENT_ID, name: 'Fang', via: 'slack' }, { kind: 'reply', text: 'On it' }],
      ]),
    );
  });

  it('answers a modal submission with its errors in the ack', async () => {
    const { desk } = await socketMode(APP_TOKEN);
    socket = await startSocketModeStandIn();
    standIn?.acceptAppToken(APP_TOKEN, socket.url);
    await desk.start();
    const ack = await socket.push(
      'interactive',
      viewSubmission({
        userId: AGENT_ID,
        callbackId: DESK_VIEWS.approvePartial,
        privateMetadata: JSON.stringify({ conversationId: 'conv-1', channel: AGENT_CHANNEL, currency: 'CNY', max: 28_700 }),
        values: { [AMOUNT_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: '999' } } },
      }),
    );
    expect(ack.payload).toEqual({ response_action: 'errors', errors: { [AMOUNT_BLOCK]: 'At most ¥287.00: what the customer paid for the claimed items.' } });
  });

  it('fails start-up when Slack refuses the app token', async () => {
    const { desk } = await socketMode('xapp-1-A0001DESK-9999-revoked');
    await expect(desk.start()).rejects.toThrow(/invalid_auth/);
    expect(standIn?.calls.filter((call) => call.method === 'apps.connections.open').map((call) => call.token)).toEqual(['xapp-1-A0001DESK-9999-revoked']);
  });

  it('refuses a token that is not an app-level token', async () => {
    await expect(socketMode('xoxb-bot-token')).rejects.toThrow(/app-level token/);
  });
});
