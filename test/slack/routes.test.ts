import type { Button } from '@slack/types';
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DESK_ACTIONS, DESK_VIEWS, type DeskActionId } from '../../src/channels/slack-desk/actions.ts';
import { caseCard } from '../../src/channels/slack-desk/cards.ts';
import { AMOUNT_BLOCK, INPUT_ACTION, REASON_BLOCK } from '../../src/channels/slack-desk/modals.ts';
import { signedEvent, signedInteraction, slackSignature } from '../support/slackSigner.ts';
import { deskView, evidenceUrl } from './fixtures.ts';
import { AGENT_CHANNEL } from './harness.ts';
import { blockActions, threadMessageEvent, urlVerification, viewSubmission } from './payloads.ts';
import { AGENT, CARD_TS, OUTSIDER, type RouteHarness, SIGNING_SECRET, startRouteHarness } from './routeHarness.ts';

let desk: RouteHarness;

afterEach(async () => {
  await desk?.cleanup();
});

/** The value Slack sends back for a button of the real card. */
function buttonValue(actionId: DeskActionId): string {
  const buttons = caseCard(deskView(), { evidenceUrl }).blocks.flatMap((block) => (block.type === 'actions' ? (block.elements as Button[]) : []));
  const value = buttons.find((button) => button.action_id === actionId)?.value;
  if (!value) throw new Error(`no ${actionId} button`);
  return value;
}

const click = (actionId: DeskActionId, overrides: { userId?: string; actionTs?: string } = {}) =>
  signedInteraction(
    SIGNING_SECRET,
    blockActions({ userId: overrides.userId ?? AGENT.id, username: AGENT.username, actionId, value: buttonValue(actionId), channel: AGENT_CHANNEL, messageTs: CARD_TS, ...(overrides.actionTs ? { actionTs: overrides.actionTs } : {}) }),
    desk.now(),
  );

const agent = { id: AGENT.id, name: AGENT.display, via: 'slack' };

/** The per-field errors of a `response_action: "errors"` answer. */
async function viewErrors(response: Response): Promise<Record<string, string>> {
  const body = (await response.json()) as { response_action?: string; errors?: Record<string, string> };
  expect(body.response_action).toBe('errors');
  return body.errors ?? {};
}

describe('Slack events and interactivity route', () => {
  it("answers Slack's URL verification with the challenge", async () => {
    desk = await startRouteHarness();
    const response = await desk.send(signedEvent(SIGNING_SECRET, urlVerification('chal-123'), desk.now()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'chal-123' });
  });

  it('refuses bad, old and future signatures with 401 and does nothing', async () => {
    desk = await startRouteHarness();
    const good = click(DESK_ACTIONS.takeOver);
    const forged = signedInteraction('not-the-secret', JSON.parse(new URLSearchParams(good.body).get('payload') ?? '{}'), desk.now());
    const old = signedInteraction(SIGNING_SECRET, JSON.parse(new URLSearchParams(good.body).get('payload') ?? '{}'), desk.now() - 6 * 60);
    const future = signedInteraction(SIGNING_SECRET, JSON.parse(new URLSearchParams(good.body).get('payload') ?? '{}'), desk.now() + 6 * 60);
    for (const request of [forged, old, future]) {
      const response = await desk.send(request);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'invalid_signature', message: 'invalid or expired Slack signature' } });
    }
    const unsigned = await fetch(desk.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(urlVerification()) });
    expect(unsigned.status).toBe(401);
    const tampered = await desk.send({ ...good, body: good.body.replace('U0AGENT01', 'U0AGENT02') });
    expect(tampered.status).toBe(401);
    const ok = await desk.send(good);
    expect(ok.status).toBe(200);
    await desk.finish();
    expect(desk.acts).toHaveLength(1);
  });

  it('answers 400 to a correctly signed body that is not a Slack payload', async () => {
    desk = await startRouteHarness();
    for (const body of ['{not json', '"just a string"', '[1,2]']) {
      const timestamp = desk.now();
      const response = await desk.send({
        body,
        headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body) },
      });
      expect(response.status).toBe(400);
    }
  });

  // Found by the fuzz (test/fuzz): Bolt threw a TypeError while routing these, and the route answered 500.
  it('answers 400, not 500, to a signed payload whose routing fields have the wrong types, and does nothing', async () => {
    desk = await startRouteHarness();
    const message = { type: 'message', channel: AGENT_CHANNEL, user: AGENT.id, text: 'hi', ts: '1760000300.000001', thread_ts: CARD_TS };
    const payloads = [
      { type: 'event_callback', event_id: 'Ev1', event: null },
      { type: 'event_callback', event_id: 'Ev2', authorizations: [null], event: message },
      { type: 'event_callback', event_id: 'Ev3', event: { ...message, channel: 5 } },
      { type: 'event_callback', event_id: 'Ev4', event: { ...message, user: null } },
      { type: 'block_actions', actions: [{ action_id: DESK_ACTIONS.takeOver, value: buttonValue(DESK_ACTIONS.takeOver) }] },
      { type: 'view_submission', user: { id: AGENT.id } },
    ];
    for (const payload of payloads) {
      const response = await desk.send(signedEvent(SIGNING_SECRET, payload, desk.now()));
      expect(response.status, JSON.stringify(payload)).toBe(400);
      expect(await response.json()).toEqual({ error: { code: 'bad_request', message: 'not a Slack event or interaction payload' } });
    }
    await desk.finish();
    expect(desk.acts).toHaveLength(0);
  });

  it('takes over for the clicking agent, named as Slack shows them', async () => {
    desk = await startRouteHarness();
    const response = await desk.send(click(DESK_ACTIONS.takeOver));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await desk.finish();
    expect(desk.acts).toEqual([{ conversationId: 'conv-1', agent, action: { kind: 'take_over' } }]);
  });

  it('approves the proposed amount and hands back', async () => {
    desk = await startRouteHarness();
    await desk.send(click(DESK_ACTIONS.approve));
    await desk.send(click(DESK_ACTIONS.handBack));
    await desk.finish();
    expect(desk.acts.map((call) => call.action)).toEqual([{ kind: 'approve' }, { kind: 'hand_back' }]);
  });

  it('acts once for a repeated delivery and once for a double click', async () => {
    desk = await startRouteHarness();
    const first = click(DESK_ACTIONS.takeOver, { actionTs: '1760000200.000001' });
    await desk.send(first);
    await desk.send(first); // the same payload again
    await desk.send(click(DESK_ACTIONS.takeOver, { actionTs: '1760000200.300001' })); // the second click of a double click
    await desk.send(click(DESK_ACTIONS.handBack, { actionTs: '1760000200.600001' })); // another button: acts
    await desk.finish();
    expect(desk.acts.map((call) => call.action.kind)).toEqual(['take_over', 'hand_back']);
  });

  it("acts once when Slack retries an event (X-Slack-Retry-Num), and it is acknowledged at once", async () => {
    desk = await startRouteHarness();
    const event = threadMessageEvent({ userId: AGENT.id, text: 'Checking now', channel: AGENT_CHANNEL, threadTs: CARD_TS, eventId: 'Ev0RETRY01' });
    expect((await desk.send(signedEvent(SIGNING_SECRET, event, desk.now()))).status).toBe(200);
    const retry = await desk.send(signedEvent(SIGNING_SECRET, event, desk.now(), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }));
    expect(retry.status).toBe(200);
    await desk.finish();
    expect(desk.acts).toEqual([{ conversationId: 'conv-1', agent, action: { kind: 'reply', text: 'Checking now' } }]);
  });

  it('tells someone outside the agent channel they may not act, and does not act', async () => {
    desk = await startRouteHarness();
    expect((await desk.send(click(DESK_ACTIONS.approve, { userId: OUTSIDER }))).status).toBe(200);
    await desk.finish();
    expect(desk.acts).toEqual([]);
    expect(desk.standIn.succeeded('chat.postEphemeral').map((call) => call.params)).toEqual([
      expect.objectContaining({ channel: AGENT_CHANNEL, user: OUTSIDER, text: expect.stringContaining('not authorised') }),
    ]);
  });

  it('lets members of the configured user group act', async () => {
    desk = await startRouteHarness({ usergroup: 'S0AGENTS' });
    desk.standIn.setUsergroup('S0AGENTS', [OUTSIDER]);
    desk.standIn.setUser({ id: OUTSIDER, name: 'zhao.lei' });
    await desk.send(click(DESK_ACTIONS.takeOver, { userId: OUTSIDER }));
    await desk.finish();
    expect(desk.acts).toEqual([{ conversationId: 'conv-1', agent: { id: OUTSIDER, name: 'zhao.lei', via: 'slack' }, action: { kind: 'take_over' } }]);
  });

  it('refuses (and says why) when Slack cannot tell who is an agent', async () => {
    desk = await startRouteHarness();
    desk.standIn.failNext('conversations.members', { kind: 'http', status: 500 });
    await desk.send(click(DESK_ACTIONS.approve));
    await desk.finish();
    expect(desk.acts).toEqual([]);
    expect(desk.standIn.succeeded('chat.postEphemeral')[0]?.params.text).toContain("Couldn't check your access");
  });

  it('approves a partial amount through the modal, refusing more than was paid in the modal itself', async () => {
    desk = await startRouteHarness();
    await desk.send(click(DESK_ACTIONS.approvePartial));
    await vi.waitFor(() => expect(desk.standIn.succeeded('views.open')).toHaveLength(1));
    const open = desk.standIn.succeeded('views.open')[0]?.params as { trigger_id: string; view: { callback_id: string; private_metadata: string; blocks: unknown[] } };
    expect(open.trigger_id).toMatch(/^12321423423\./);
    expect(open.view.callback_id).toBe(DESK_VIEWS.approvePartial);
    expect(JSON.stringify(open.view.blocks)).toContain('"initial_value":"287.00"');

    const submit = (typed: string, viewId: string) =>
      desk.send(
        signedInteraction(
          SIGNING_SECRET,
          viewSubmission({ userId: AGENT.id, callbackId: DESK_VIEWS.approvePartial, privateMetadata: open.view.private_metadata, viewId, values: { [AMOUNT_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: typed } } } }),
          desk.now(),
        ),
      );
    const tooMuch = await submit('300', 'V0PARTIAL1');
    expect(tooMuch.status).toBe(200);
    expect(tooMuch.headers.get('content-type')).toContain('application/json');
    expect(await tooMuch.json()).toEqual({ response_action: 'errors', errors: { [AMOUNT_BLOCK]: 'At most ¥287.00: what the customer paid for the claimed items.' } });
    const notANumber = await submit('lots', 'V0PARTIAL1');
    expect((await viewErrors(notANumber))[AMOUNT_BLOCK]).toContain('Enter an amount like');

    const ok = await submit('150.00', 'V0PARTIAL1');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('');
    await submit('150.00', 'V0PARTIAL1'); // submitted twice: one decision
    await desk.finish();
    expect(desk.acts).toEqual([{ conversationId: 'conv-1', agent, action: { kind: 'approve', amount: 150 } }]);
  });

  it('denies with the reason typed in the modal', async () => {
    desk = await startRouteHarness();
    await desk.send(click(DESK_ACTIONS.deny));
    await vi.waitFor(() => expect(desk.standIn.succeeded('views.open')).toHaveLength(1));
    const open = desk.standIn.succeeded('views.open')[0]?.params as { view: { callback_id: string; private_metadata: string } };
    expect(open.view.callback_id).toBe(DESK_VIEWS.deny);
    const submission = (reason: string) =>
      signedInteraction(
        SIGNING_SECRET,
        viewSubmission({ userId: AGENT.id, callbackId: DESK_VIEWS.deny, privateMetadata: open.view.private_metadata, values: { [REASON_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: reason } } } }),
        desk.now(),
      );
    expect(await (await desk.send(submission('   '))).json()).toEqual({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Tell the customer why.' } });
    await desk.send(submission('The 30-day window ended on 3 December.'));
    await desk.finish();
    expect(desk.acts).toEqual([{ conversationId: 'conv-1', agent, action: { kind: 'deny', reason: 'The 30-day window ended on 3 December.' } }]);
  });

  it('keeps the modal open with an error when someone outside the desk submits it', async () => {
    desk = await startRouteHarness();
    const metadata = JSON.stringify({ conversationId: 'conv-1', channel: AGENT_CHANNEL });
    const response = await desk.send(
      signedInteraction(
        SIGNING_SECRET,
        viewSubmission({ userId: OUTSIDER, callbackId: DESK_VIEWS.deny, privateMetadata: metadata, values: { [REASON_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: 'no' } } } }),
        desk.now(),
      ),
    );
    expect((await viewErrors(response))[REASON_BLOCK]).toContain('not authorised');
    await desk.finish();
    expect(desk.acts).toEqual([]);
  });

  it("relays an agent's reply in the card's thread to the customer, as plain text in the agent's name", async () => {
    desk = await startRouteHarness();
    const event = threadMessageEvent({ userId: AGENT.id, text: 'Refund is &lt;¥150&gt;, see <https://shop.example/policy|the policy>', channel: AGENT_CHANNEL, threadTs: CARD_TS });
    await desk.send(signedEvent(SIGNING_SECRET, event, desk.now()));
    await desk.finish();
    expect(desk.acts).toEqual([{ conversationId: 'conv-1', agent, action: { kind: 'reply', text: 'Refund is <¥150>, see the policy (https://shop.example/policy)' } }]);
    expect(desk.standIn.succeeded('users.info').map((call) => call.params.user)).toEqual([AGENT.id]);
  });

  it('ignores bot posts, edits, top-level messages and threads that are not cards', async () => {
    desk = await startRouteHarness();
    const events = [
      threadMessageEvent({ botId: desk.standIn.botId, userId: desk.standIn.botUserId, text: '*Customer:* hi', channel: AGENT_CHANNEL, threadTs: CARD_TS }),
      threadMessageEvent({ userId: AGENT.id, subtype: 'message_changed', text: 'edited', channel: AGENT_CHANNEL, threadTs: CARD_TS }),
      threadMessageEvent({ userId: AGENT.id, text: 'top level', channel: AGENT_CHANNEL, threadTs: '1760000999.000001', ts: '1760000999.000001' }),
      threadMessageEvent({ userId: AGENT.id, text: 'another thread', channel: AGENT_CHANNEL, threadTs: '1760000555.000001' }),
    ];
    for (const event of events) expect((await desk.send(signedEvent(SIGNING_SECRET, event, desk.now()))).status).toBe(200);
    await desk.finish();
    expect(desk.acts).toEqual([]);
    expect(desk.standIn.succeeded('chat.postEphemeral')).toEqual([]);
  });

  it('tells the agent, in the thread, when a reply was refused and not sent', async () => {
    desk = await startRouteHarness();
    desk.answer = () => ({ ok: false, refusal: 'held_by_other', message: 'held by Li Na' });
    await desk.send(signedEvent(SIGNING_SECRET, threadMessageEvent({ userId: AGENT.id, text: 'Hello', channel: AGENT_CHANNEL, threadTs: CARD_TS }), desk.now()));
    await desk.finish();
    expect(desk.standIn.succeeded('chat.postEphemeral').map((call) => call.params)).toEqual([
      { channel: AGENT_CHANNEL, user: AGENT.id, thread_ts: CARD_TS, text: 'Another agent holds this conversation. (held by Li Na) Your message was not sent to the customer.' },
    ]);
  });

  it('answers a stale card with an ephemeral message', async () => {
    desk = await startRouteHarness();
    desk.answer = () => ({ ok: false, refusal: 'stale', message: '' });
    await desk.send(click(DESK_ACTIONS.approve));
    await desk.finish();
    expect(desk.acts).toHaveLength(1);
    expect(desk.standIn.succeeded('chat.postEphemeral').map((call) => call.params)).toEqual([
      { channel: AGENT_CHANNEL, user: AGENT.id, text: expect.stringContaining('This card is out of date') },
    ]);
  });

  it('tells the agent when the action failed on our side', async () => {
    desk = await startRouteHarness();
    desk.answer = () => {
      throw new Error('store down');
    };
    await desk.send(click(DESK_ACTIONS.takeOver));
    await desk.finish();
    expect(desk.standIn.succeeded('chat.postEphemeral')[0]?.params.text).toContain('error on our side');
  });

  it('acknowledges within Slack’s 3 seconds even while the action is still running', async () => {
    desk = await startRouteHarness();
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (release = resolve));
    desk.answer = async () => {
      await running;
      return { ok: true, view: deskView() };
    };
    try {
      const started = Date.now();
      const response = await desk.send(click(DESK_ACTIONS.takeOver));
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2000);
      // The action starts after the answer and is still running.
      await vi.waitFor(() => expect(desk.acts).toHaveLength(1));
    } finally {
      release();
    }
    await desk.finish();
  });

  it('leaves the rest of the server with its own JSON parser', async () => {
    const echo: FastifyPluginAsync = async (app) => {
      app.post('/echo', async (request) => ({ got: request.body }));
    };
    desk = await startRouteHarness({ extraPlugins: [echo] });
    const response = await fetch(desk.url.replace('/slack/events', '/echo'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await response.json()).toEqual({ got: { a: 1 } });
  });
});
