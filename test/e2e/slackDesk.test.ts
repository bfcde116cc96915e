import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESK_ACTIONS, DESK_VIEWS, encodeButtonValue } from '../../src/channels/slack-desk/actions.ts';
import { AMOUNT_BLOCK, INPUT_ACTION } from '../../src/channels/slack-desk/modals.ts';
import { blockActions, threadMessageEvent, viewSubmission } from '../slack/payloads.ts';
import { Customer } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type SignedRequest, signedEvent, signedInteraction } from '../support/slackSigner.ts';
import type { SlackStandIn } from '../support/slackStandIn.ts';
import { DESK_AGENT as AGENT, DESK_CHANNEL as CHANNEL, DESK_SECRET as SECRET, deskEnv, startDeskStandIn } from '../support/slackDesk.ts';
import { until } from '../support/wait.ts';

/**
 * The agent desk on Slack, end to end: a customer on the conversation API disputes a refusal,
 * the case card reaches the agent channel on the local Slack Web API stand-in, and an agent takes
 * over, talks in the card's thread, approves part of the refund — with real signed requests.
 */
const NOW = '2026-11-20T12:00:00Z';

let slack: SlackStandIn;
let server: TestServer;

beforeEach(async () => {
  slack = await startDeskStandIn();
  server = await startServer({ now: NOW, env: deskEnv(slack) });
});
afterEach(async () => {
  await server.close();
  await slack.close();
});

const seconds = () => Math.floor(server.clock.now().getTime() / 1000);
const send = (request: SignedRequest) => fetch(`${server.url}/slack/events`, { method: 'POST', headers: request.headers, body: request.body });

async function disputedConversation(): Promise<{ customer: Customer; caseId: string; cardTs: string }> {
  const customer = new Customer(server.url);
  await customer.start('en');
  const { summary } = await driveRefund(customer, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' });
  await customer.say(prompts.t('en', 'action.disagree'));
  const card = await until(() => slack.messages.find((message) => message.channel === CHANNEL && !message.thread_ts), 'the case card');
  return { customer, caseId: summary.id, cardTs: card.ts };
}

describe('the agent desk on Slack', () => {
  it('card, take over, relay both ways, partial approval: the customer sees all of it', async () => {
    const { customer, caseId, cardTs } = await disputedConversation();
    const card = slack.message(CHANNEL, cardTs);
    expect(JSON.stringify(card?.blocks)).toContain(caseId);
    expect(JSON.stringify(card?.blocks)).not.toContain('chenjing@example.com');

    const click = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId: customer.conversationId }), channel: CHANNEL, messageTs: cardTs });
    expect((await send(signedInteraction(SECRET, click, seconds()))).status).toBe(200);
    // Slack retries and double clicks act once.
    expect((await send(signedInteraction(SECRET, click, seconds()))).status).toBe(200);
    await until(async () => (await customer.history()).activities.some((activity) => activity.text === prompts.t('en', 'agent.joined', { name: 'Wang' })), 'the customer to hear Wang joined');

    // Customer → thread.
    expect(await customer.say('Please, it stopped working after a week')).toEqual([]);
    await until(() => slack.messages.find((message) => message.thread_ts === cardTs && message.text.includes('stopped working after a week')), 'the customer message in the thread');

    // Thread → customer, under the agent's Slack display name.
    const reply = threadMessageEvent({ userId: AGENT.id, text: 'Sorry to hear that, let me help.', channel: CHANNEL, threadTs: cardTs });
    expect((await send(signedEvent(SECRET, reply, seconds()))).status).toBe(200);
    await until(async () => (await customer.history()).activities.find((activity) => activity.from.role === 'agent' && activity.from.name === 'Wang' && activity.text === 'Sorry to hear that, let me help.'), 'the agent reply');

    // Approve partial: the modal, then its submission.
    const partial = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.approvePartial, value: encodeButtonValue({ conversationId: customer.conversationId, currency: 'CNY', max: 13500 }), channel: CHANNEL, messageTs: cardTs });
    expect((await send(signedInteraction(SECRET, partial, seconds()))).status).toBe(200);
    const opened = await until(() => slack.succeeded('views.open').at(-1), 'the partial approval modal');
    const view = opened.params.view as { private_metadata: string };
    const submit = viewSubmission({ userId: AGENT.id, callbackId: DESK_VIEWS.approvePartial, privateMetadata: view.private_metadata, values: { [AMOUNT_BLOCK]: { [INPUT_ACTION]: { type: 'plain_text_input', value: '60.00' } } } });
    expect((await send(signedInteraction(SECRET, submit, seconds()))).status).toBe(200);

    await until(async () => (await server.app.stores.cases.get(caseId))?.status === 'approved', 'the case approved');
    expect(await server.app.stores.cases.get(caseId)).toMatchObject({ decision: { outcome: 'partial', amount: 6000 } });
    const audit = await server.app.stores.cases.audit(caseId);
    expect(audit.at(-1)).toMatchObject({ actor: { kind: 'agent', id: AGENT.id }, data: { to: 'approved', amount: 6000 } });
    const texts = (await customer.history()).activities.map((activity) => activity.text);
    expect(texts).toContain(prompts.t('en', 'agent.approved', { name: 'Wang', caseId, amount: '¥60.00', payment: prompts.t('en', 'payment.card') }));
    expect(texts.filter((text) => text === prompts.t('en', 'agent.joined', { name: 'Wang' }))).toHaveLength(1);
    // The card was updated in place with the decision.
    await until(() => slack.succeeded('chat.update').some((call) => call.params.ts === cardTs && JSON.stringify(call.params.blocks).includes('60.00')), 'the card to show the decision');
  });

  it('refuses requests with a bad or old signature', async () => {
    const { customer, cardTs } = await disputedConversation();
    const click = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId: customer.conversationId }), channel: CHANNEL, messageTs: cardTs });
    expect((await send(signedInteraction('not-the-secret', click, seconds()))).status).toBe(401);
    expect((await send(signedInteraction(SECRET, click, seconds() - 6 * 60))).status).toBe(401);
    const texts = (await customer.history()).activities.map((activity) => activity.text);
    expect(texts).not.toContain(prompts.t('en', 'agent.joined', { name: 'Wang' }));
  });

  it('keeps the case when Slack is down and posts the card once it is back', async () => {
    slack.failNext('chat.postMessage', { kind: 'http', status: 503 }, 2);
    const { caseId } = await disputedConversation();
    expect(slack.calls.filter((call) => call.method === 'chat.postMessage' && call.failed).length).toBeGreaterThanOrEqual(1);
    expect((await server.app.stores.cases.get(caseId))?.status).toBe('escalated');
  });
});
