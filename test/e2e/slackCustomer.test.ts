import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicActivity } from '../../src/bot/publicActivity.ts';
import { encodeAddress } from '../../src/channels/slack-customer/address.ts';
import { DESK_ACTIONS, encodeButtonValue } from '../../src/channels/slack-desk/actions.ts';
import { escapeMrkdwn } from '../../src/channels/slack-desk/mrkdwn.ts';
import type { Locale } from '../../src/domain/locale.ts';
import { EXE, PNG } from '../evidence/fixtures.ts';
import { BOT_USER_ID, buttonsOf, channelMessageEvent, choiceClick, directMessageEvent, mentionEvent } from '../slack/customerPayloads.ts';
import { blockActions, TEAM, threadMessageEvent } from '../slack/payloads.ts';
import { prompts } from '../support/drive.ts';
import { STORES, type StoreKind, startServer, type TestServer } from '../support/server.ts';
import { type SignedRequest, signedEvent, signedInteraction } from '../support/slackSigner.ts';
import { type SlackStandIn, type StoredMessage, startSlackStandIn } from '../support/slackStandIn.ts';
import { DESK_AGENT as AGENT, DESK_CHANNEL as DESK, DESK_SECRET as SECRET } from '../support/slackDesk.ts';
import { type SocketModeStandIn, startSocketModeStandIn } from '../support/socketModeStandIn.ts';
import { until } from '../support/wait.ts';

/**
 * Slack as a customer channel, end to end: signed events and clicks as Slack sends them reach the
 * real server, which answers through the local Slack Web API stand-in — direct messages, buttons,
 * photos, mentions in a channel, and the agent desk on the same app.
 */
const NOW = '2026-11-20T12:00:00Z';
const SHOP = 'C0SHOP0001';
const CUSTOMER = { id: 'U0CUST0001', dm: 'D0CUST0001' };

let slack: SlackStandIn | undefined;
let server: TestServer | undefined;
let socket: SocketModeStandIn | undefined;

afterEach(async () => {
  await server?.close();
  await slack?.close();
  await socket?.close();
  server = slack = socket = undefined;
});

async function start(options: { store?: StoreKind; env?: Record<string, string> } = {}): Promise<{ slack: SlackStandIn; server: TestServer }> {
  slack ??= await startSlackStandIn();
  slack.setChannelMembers(DESK, [slack.botUserId, AGENT.id]);
  slack.setUser({ id: AGENT.id, name: AGENT.name, display_name: AGENT.display_name });
  server = await startServer({
    now: NOW,
    ...(options.store ? { store: options.store } : {}),
    env: { SLACK_BOT_TOKEN: slack.botToken, SLACK_AGENT_CHANNEL: DESK, SLACK_API_URL: slack.url, ...(options.env ?? { SLACK_SIGNING_SECRET: SECRET }) },
  });
  return { slack, server };
}

function running(): { slack: SlackStandIn; server: TestServer } {
  if (!slack || !server) throw new Error('not started');
  return { slack, server };
}

const seconds = () => Math.floor(running().server.clock.now().getTime() / 1000);
const post = (request: SignedRequest) => fetch(`${running().server.url}/slack/events`, { method: 'POST', headers: request.headers, body: request.body });
const idle = () => {
  const channel = running().server.app.slackCustomers;
  if (!channel) throw new Error('the Slack customer channel is not on');
  return channel.idle();
};

/** What the app posted in a conversation (a DM, or a thread of a channel), in order. */
const postsIn = (channel: string, threadTs?: string) => running().slack.messages.filter((message) => message.channel === channel && message.thread_ts === threadTs);

/**
 * Sends a signed Slack request and waits for its effect: `posts` more messages where the
 * conversation is answered (the listener runs after Slack's request was answered), then for
 * everything in flight.
 */
async function deliver(request: SignedRequest, where: { channel: string; threadTs?: string }, posts = 1): Promise<StoredMessage[]> {
  const before = postsIn(where.channel, where.threadTs).length;
  const response = await post(request);
  expect(response.status).toBe(200);
  await until(() => postsIn(where.channel, where.threadTs).length >= before + posts, `${posts} answer(s) in ${where.channel}`);
  await idle();
  return postsIn(where.channel, where.threadTs).slice(before);
}

const dm = (text: string, extra: { files?: unknown[]; eventId?: string } = {}) =>
  deliver(signedEvent(SECRET, directMessageEvent({ userId: CUSTOMER.id, channel: CUSTOMER.dm, text, ...(extra.files ? { files: extra.files, subtype: 'file_share' } : {}), ...(extra.eventId ? { eventId: extra.eventId } : {}) }), seconds()), { channel: CUSTOMER.dm });

const click = (message: StoredMessage, title: string) => deliver(signedInteraction(SECRET, choiceClick({ userId: CUSTOMER.id, message, title }), seconds()), { channel: message.channel, ...(message.thread_ts ? { threadTs: message.thread_ts } : {}) });

/** The conversation of a Slack user in a DM or a thread (never created by looking). */
const conversation = (user: string, channel: string, threadTs?: string) =>
  running().server.app.gateway.find({ channel: 'slack', externalId: encodeAddress({ team: TEAM.id, user, channel, ...(threadTs ? { threadTs } : {}) }) });

async function transcript(user = CUSTOMER.id, channel = CUSTOMER.dm, threadTs?: string): Promise<PublicActivity[]> {
  const record = await conversation(user, channel, threadTs);
  if (!record) return [];
  return (await running().server.app.gateway.history(record, 0)).activities;
}

async function awaiting(): Promise<string | undefined> {
  const replies = (await transcript()).filter((activity) => activity.from.role === 'bot');
  return replies.findLast((activity) => activity.channelData?.awaiting)?.channelData?.awaiting as string | undefined;
}

const textOf = (message: StoredMessage | undefined) => JSON.stringify(message?.blocks ?? []);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const says = (locale: Locale, key: string, vars: Record<string, string | number> = {}) => escapeMrkdwn(prompts.t(locale, key, vars));

describe.each(STORES)('a refund from a Slack direct message (%s)', (store) => {
  it('asks who the customer is, takes a photo, and decides on a button click', async () => {
    const { slack, server } = await start({ store });
    const opened = await dm('I want a refund for order 100102, the speaker stopped working');
    // A Slack account is not proof of owning an order: the identity question comes first.
    expect(textOf(opened.at(-1))).toContain(says('en', 'ask.identity', { orderId: '100102' }));
    expect(await awaiting()).toBe('identity');

    let clicked: StoredMessage | undefined;
    let decided: PublicActivity | undefined;
    for (let turn = 0; turn < 8 && !decided; turn += 1) {
      const slot = await awaiting();
      const last = postsIn(CUSTOMER.dm).at(-1) as StoredMessage;
      // Slack links an email address as it sends it.
      if (slot === 'identity') await dm('<mailto:hanmeimei@example.com|hanmeimei@example.com>');
      else if (slot === 'evidence') await dm('', { files: [slack.hostFile({ name: 'speaker.png', mimetype: 'image/png', bytes: PNG })] });
      else if (slot === 'category') await click(last, prompts.t('en', 'category.defective'));
      else if (slot === 'confirm') {
        clicked = last;
        await click(last, prompts.t('en', 'action.yes'));
      } else throw new Error(`unexpected question (${slot}): ${last.text}`);
      decided = (await transcript()).find((activity) => activity.channelData?.case);
    }
    expect(decided).toBeDefined();

    const record = await conversation(CUSTOMER.id, CUSTOMER.dm);
    const cases = await server.app.stores.cases.byConversation(record?.id ?? '');
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ orderId: '100102', status: 'approved', channel: 'slack' });
    expect(cases[0]?.evidence.map((file) => file.id)).toEqual([sha256(PNG)]);
    expect(await server.app.stores.evidence.get(sha256(PNG))).toBeDefined();
    // The photo was fetched once, from Slack, with the bot token.
    expect(slack.fileDownloads).toEqual([expect.objectContaining({ token: slack.botToken, served: true })]);

    // The clicked message shows the choice instead of its buttons.
    const answered = slack.message(CUSTOMER.dm, clicked?.ts ?? '');
    expect(buttonsOf(answered as StoredMessage)).toEqual([]);
    expect(textOf(answered)).toContain(`✓ ${prompts.t('en', 'action.yes')}`);
    // The decision reached the DM, and the customer's "Yes" was their own message.
    expect(textOf(postsIn(CUSTOMER.dm).find((message) => message.text.includes(cases[0]?.id ?? '-')))).toContain(cases[0]?.id);
    expect((await transcript()).filter((activity) => activity.from.role === 'user').map((activity) => activity.text)).toContain(prompts.t('en', 'action.yes'));
  });
});

describe('Slack customers', () => {
  it('does not take a Slack account as proof of owning an order', async () => {
    await start();
    const asked = await dm('refund order 100102 please, the speaker is broken');
    expect(textOf(asked.at(-1))).toContain(says('en', 'ask.identity', { orderId: '100102' }));
    const wrong = await dm('somebody.else@example.com');
    expect(wrong.map(textOf).join('\n')).toContain(says('en', 'retry.identity', { orderId: '100102' }));
    expect(await awaiting()).toBe('identity');
    const record = await conversation(CUSTOMER.id, CUSTOMER.dm);
    expect(await running().server.app.stores.cases.byConversation(record?.id ?? '')).toEqual([]);
  });

  it('runs a message Slack delivered twice (X-Slack-Retry-Num) once, and refuses a bad signature', async () => {
    const { server } = await start();
    const event = directMessageEvent({ userId: CUSTOMER.id, channel: CUSTOMER.dm, text: 'I want a refund', eventId: 'Ev0CUSTRETRY' });
    const answers = await deliver(signedEvent(SECRET, event, seconds()), { channel: CUSTOMER.dm });
    const retry = await post(signedEvent(SECRET, event, seconds(), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }));
    expect(retry.status).toBe(200);
    await until(() => server.logs.some((line) => line.includes('repeated delivery ignored') && line.includes('Ev0CUSTRETRY')), 'the retry to be dropped');
    await idle();
    expect((await transcript()).filter((activity) => activity.from.role === 'user')).toHaveLength(1);
    expect(postsIn(CUSTOMER.dm)).toHaveLength(answers.length);

    // Forged: another secret, or an old signature. Nothing runs, no conversation is made.
    const stranger = directMessageEvent({ userId: 'U0STRANGER', channel: 'D0STRANGER', text: 'I want a refund' });
    expect((await post(signedEvent('not-the-secret', stranger, seconds()))).status).toBe(401);
    expect((await post(signedEvent(SECRET, stranger, seconds() - 6 * 60))).status).toBe(401);
    await idle();
    expect(await conversation('U0STRANGER', 'D0STRANGER')).toBeUndefined();
    expect(postsIn('D0STRANGER')).toEqual([]);
  });

  it('tells the customer, in their language, which file was refused, and stores nothing of it', async () => {
    const { slack, server } = await start();
    await dm('我要退款，订单100102的音箱坏了');
    const disguised = slack.hostFile({ name: 'photo.png', mimetype: 'image/png', bytes: EXE });
    const [refusal] = await dm('', { files: [disguised] });
    expect(refusal?.text).toBe(says('zh-CN', 'file.badType', { name: 'photo.png' }));
    expect(await server.app.stores.evidence.get(sha256(EXE))).toBeUndefined();
    // Nothing reached the conversation: the file-only message had nothing left to say.
    expect((await transcript()).filter((activity) => activity.from.role === 'user')).toHaveLength(1);

    // Slack says it is too large: refused without a download; the text beside it still goes.
    const huge = { ...slack.hostFile({ name: 'video.png', mimetype: 'image/png', bytes: PNG }), size: 11 * 1024 * 1024 };
    const downloads = slack.fileDownloads.length;
    const answers = await dm('hanmeimei@example.com', { files: [huge] });
    expect(slack.fileDownloads).toHaveLength(downloads);
    expect(answers.at(-1)?.text).toBe(says('zh-CN', 'file.tooLarge', { name: 'video.png' }));
    expect((await transcript()).filter((activity) => activity.from.role === 'user').map((activity) => activity.text)).toEqual(['我要退款，订单100102的音箱坏了', 'hanmeimei@example.com']);
  });

  it('answers a mention in its thread, continues it without a mention, and leaves others and the desk alone', async () => {
    const { slack } = await start();
    const mention = mentionEvent({ userId: CUSTOMER.id, channel: SHOP, text: `<@${BOT_USER_ID}> I want a refund for order 100102, the speaker stopped working` });
    const threadTs = mention.event.ts;
    // Slack sends the same message as `message` too (message.channels): it is one message.
    await post(signedEvent(SECRET, channelMessageEvent({ userId: CUSTOMER.id, channel: SHOP, text: mention.event.text, ts: threadTs }), seconds()));
    const [asked] = await deliver(signedEvent(SECRET, mention, seconds()), { channel: SHOP, threadTs });
    expect(textOf(asked)).toContain(says('en', 'ask.identity', { orderId: '100102' }));
    expect((await transcript(CUSTOMER.id, SHOP, threadTs))[0]).toMatchObject({ from: { role: 'user' }, text: 'I want a refund for order 100102, the speaker stopped working' });

    // A reply in the thread that mentions the app again comes as two events (`message`, `app_mention`): one message.
    const again = { userId: CUSTOMER.id, channel: SHOP, threadTs, ts: '1760000399.000001', text: `<@${BOT_USER_ID}> hanmeimei@example.com` };
    await post(signedEvent(SECRET, threadMessageEvent(again), seconds()));
    await deliver(signedEvent(SECRET, mentionEvent(again), seconds()), { channel: SHOP, threadTs });
    await idle();
    expect((await transcript(CUSTOMER.id, SHOP, threadTs)).filter((activity) => activity.from.role === 'user').map((activity) => activity.text)).toEqual([
      'I want a refund for order 100102, the speaker stopped working',
      'hanmeimei@example.com',
    ]);

    // Someone else in the thread, a top-level message, a mention in the agent channel: nobody's conversation.
    const before = slack.messages.length;
    const deskMention = mentionEvent({ userId: AGENT.id, channel: DESK, text: `<@${BOT_USER_ID}> refund order 100102` });
    for (const event of [threadMessageEvent({ userId: 'U0NEIGHBOR', channel: SHOP, threadTs, text: 'me too!' }), channelMessageEvent({ userId: CUSTOMER.id, channel: SHOP, text: 'hello everyone' }), deskMention]) {
      expect((await post(signedEvent(SECRET, event, seconds()))).status).toBe(200);
    }
    // The customer's next message in the thread is answered, and it is the only thing answered.
    const answers = await deliver(signedEvent(SECRET, threadMessageEvent({ userId: CUSTOMER.id, channel: SHOP, threadTs, text: 'no photo, sorry' }), seconds()), { channel: SHOP, threadTs });
    expect(slack.messages.length).toBe(before + answers.length);
    expect(await conversation('U0NEIGHBOR', SHOP, threadTs)).toBeUndefined();
    expect(await conversation(CUSTOMER.id, SHOP)).toBeUndefined();
    expect(await conversation(AGENT.id, DESK, deskMention.event.ts)).toBeUndefined();
    expect((await transcript(CUSTOMER.id, SHOP, threadTs)).filter((activity) => activity.from.role === 'user')).toHaveLength(3);
  });

  it('relays both ways once the customer asks for a person: the desk thread, the agent’s name, the agent’s file', async () => {
    const { slack } = await start();
    await dm('I want to talk to a person');
    const card = await until(() => slack.messages.find((message) => message.channel === DESK && !message.thread_ts), 'the case card');
    expect(JSON.stringify(card.blocks)).toContain('slack');
    const record = await conversation(CUSTOMER.id, CUSTOMER.dm);
    const conversationId = record?.id ?? '';

    // The agent takes over from the card: the customer hears it in their DM.
    const takeOver = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId }), channel: DESK, messageTs: card.ts });
    const [joined] = await deliver(signedInteraction(SECRET, takeOver, seconds()), { channel: CUSTOMER.dm });
    expect(textOf(joined)).toContain(says('en', 'agent.joined', { name: 'Wang' }));

    // Customer → the card's thread.
    expect((await post(signedEvent(SECRET, directMessageEvent({ userId: CUSTOMER.id, channel: CUSTOMER.dm, text: 'My order 100102 speaker is broken <3' }), seconds()))).status).toBe(200);
    await until(() => slack.messages.find((message) => message.thread_ts === card.ts && message.text.includes('speaker is broken &lt;3')), 'the customer message in the thread');

    // The agent's reply in the thread → the DM, under the agent's name.
    const reply = threadMessageEvent({ userId: AGENT.id, channel: DESK, threadTs: card.ts, text: 'Sorry about that, I will sort it out.' });
    const [relayed] = await deliver(signedEvent(SECRET, reply, seconds()), { channel: CUSTOMER.dm });
    expect(relayed?.blocks?.[0]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `*${says('en', 'agent.label', { name: 'Wang' })}*` }] });
    expect(textOf(relayed)).toContain('Sorry about that, I will sort it out.');

    // A file from the agent → a signed link the customer can open.
    const label = slack.hostFile({ name: 'return-label.png', mimetype: 'image/png', bytes: PNG });
    const withFile = threadMessageEvent({ userId: AGENT.id, channel: DESK, threadTs: card.ts, text: 'Your return label.', subtype: 'file_share', files: [label] });
    const [filed] = await deliver(signedEvent(SECRET, withFile, seconds()), { channel: CUSTOMER.dm });
    const link = /<(http[^|>]+\/v1\/evidence\/[0-9a-f]{64}\?[^|>]+)\|return-label\.png>/.exec(textOf(filed))?.[1];
    expect(link).toBeDefined();
    // PUBLIC_URL is not set in tests: the link names localhost; its path and signature are what count.
    const signed = new URL(link ?? 'http://localhost/');
    const download = await fetch(`${running().server.url}${signed.pathname}${signed.search}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(PNG))).toBe(true);
    expect((await fetch(`${running().server.url}${signed.pathname}`)).status).not.toBe(200);
  });

  it('refuses a customer’s forged desk clicks and thread replies, and agents of another workspace', async () => {
    const { slack, server } = await start();
    await dm('I want to talk to a person');
    const card = await until(() => slack.messages.find((message) => message.channel === DESK && !message.thread_ts), 'the case card');
    const conversationId = (await conversation(CUSTOMER.id, CUSTOMER.dm))?.id ?? '';
    const before = await transcript();
    const told = (user: string) => slack.succeeded('chat.postEphemeral').filter((call) => call.params.user === user).map((call) => String(call.params.text));

    // The customer forges the card's buttons (in their DM, or as if in the agent channel).
    for (const [actionId, channel] of [[DESK_ACTIONS.takeOver, CUSTOMER.dm], [DESK_ACTIONS.approve, DESK], [DESK_ACTIONS.handBack, DESK]] as const) {
      const forged = blockActions({ userId: CUSTOMER.id, actionId, value: encodeButtonValue({ conversationId }), channel, messageTs: card.ts });
      expect((await post(signedInteraction(SECRET, forged, seconds()))).status).toBe(200);
    }
    // …and writes in the card's thread as if they were an agent.
    expect((await post(signedEvent(SECRET, threadMessageEvent({ userId: CUSTOMER.id, channel: DESK, threadTs: card.ts, text: 'Approved, says me.' }), seconds()))).status).toBe(200);
    await until(() => told(CUSTOMER.id).length >= 4, 'the customer to be told, four times');
    expect(told(CUSTOMER.id).every((text) => text.includes('not authorised'))).toBe(true);

    // A member of the agent channel from another organisation (Slack Connect) may not act either.
    const guest = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId }), channel: DESK, messageTs: card.ts });
    guest.user.team_id = 'T0OTHERORG';
    expect((await post(signedInteraction(SECRET, guest, seconds()))).status).toBe(200);
    await until(() => told(AGENT.id).length >= 1, 'the guest to be told');
    expect(told(AGENT.id)[0]).toContain('not authorised');
    await idle();

    // Nothing changed: same transcript, nobody holds the conversation.
    expect(await transcript()).toEqual(before);
    expect((await server.app.handoff.view(conversationId))?.handoff).toMatchObject({ reason: 'customer_request' });
    expect((await server.app.handoff.view(conversationId))?.handoff?.agent).toBeUndefined();

    // The same agent from the app's own workspace can (so the refusals above were about who clicked).
    const own = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId }), channel: DESK, messageTs: card.ts });
    await deliver(signedInteraction(SECRET, own, seconds()), { channel: CUSTOMER.dm });
    expect((await server.app.handoff.view(conversationId))?.handoff?.agent).toMatchObject({ id: AGENT.id, name: 'Wang' });
  });

  it('ignores a click on someone else’s choices, and a second click on an answered message', async () => {
    const { slack } = await start();
    const [posted] = await dm('hello');
    // As the customer's Slack still shows it (the stand-in updates its copy in place).
    const greeting = structuredClone(posted as StoredMessage);
    const [first, second] = buttonsOf(greeting);
    expect(first && second).toBeTruthy();
    const before = await transcript();
    const intruder = choiceClick({ userId: 'U0INTRUDER', message: greeting, title: first?.title ?? '' });
    expect((await post(signedInteraction(SECRET, intruder, seconds()))).status).toBe(200);
    await until(() => running().server.logs.some((line) => line.includes('not from the conversation')), 'the click to be ignored');
    await idle();
    expect(await transcript()).toEqual(before);
    expect(buttonsOf(slack.message(CUSTOMER.dm, greeting.ts) as StoredMessage)).toHaveLength(buttonsOf(greeting).length);

    // The customer's own click goes, once: another button of the same message changes nothing.
    await click(greeting, first?.title ?? '');
    const after = await transcript();
    expect(after.filter((activity) => activity.from.role === 'user').at(-1)?.text).toBe(first?.value);
    const again = choiceClick({ userId: CUSTOMER.id, message: greeting, title: second?.title ?? '' });
    expect((await post(signedInteraction(SECRET, again, seconds()))).status).toBe(200);
    await until(() => running().server.logs.some((line) => line.includes('answered already')), 'the second click to be dropped');
    await idle();
    expect(await transcript()).toEqual(after);
    expect(textOf(slack.message(CUSTOMER.dm, greeting.ts))).toContain(`✓ ${first?.title}`);
  });

  it('works over Socket Mode too', async () => {
    const APP_TOKEN = 'xapp-1-A0001DESK-1234-abcdef';
    slack = await startSlackStandIn();
    socket = await startSocketModeStandIn();
    slack.acceptAppToken(APP_TOKEN, socket.url);
    await start({ env: { SLACK_APP_TOKEN: APP_TOKEN } });
    await socket.connected();
    const ack = await socket.push('events_api', directMessageEvent({ userId: CUSTOMER.id, channel: CUSTOMER.dm, text: 'I want a refund for order 100102, the speaker stopped working' }));
    expect(ack).toMatchObject({ envelope_id: expect.any(String) });
    const answer = await until(() => postsIn(CUSTOMER.dm).at(-1), 'the answer in the DM');
    expect(textOf(answer)).toContain(says('en', 'ask.identity', { orderId: '100102' }));
  });
});
