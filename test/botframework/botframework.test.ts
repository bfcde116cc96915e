import { createHash, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/handoff/types.ts';
import { prompts } from '../support/drive.ts';
import { BotFrameworkStandIn, type ConnectorActivity, type PostedActivity } from '../support/botFrameworkStandIn.ts';
import { startServer, type StoreKind, type TestServer } from '../support/server.ts';
import { until } from '../support/wait.ts';
import { EXE, JPEG, PNG } from '../evidence/fixtures.ts';

const NOW = '2026-11-20T12:00:00Z';
const BOT = { id: 'refundbot-emulator-id', name: 'Refund Bot', role: 'bot' };
const APP_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

let server: TestServer;
let emulator: BotFrameworkStandIn;
let serviceUrl: string;

async function start(options: { store?: StoreKind; env?: Record<string, string> } = {}): Promise<void> {
  emulator = new BotFrameworkStandIn();
  serviceUrl = await emulator.start();
  server = await startServer({ now: NOW, ...(options.store ? { store: options.store } : {}), ...(options.env ? { env: options.env } : {}) });
}

afterEach(async () => {
  await server?.close();
  await emulator?.close();
});

/**
 * A user of the Bot Framework Emulator: posts activities to /api/messages exactly as the
 * Emulator does (its conversation id ends in `|livechat`; serviceUrl is its own server).
 */
class EmulatorUser {
  readonly conversationId = `${randomUUID()}|livechat`;
  readonly userId = randomUUID();
  readonly locale: string;
  readonly channelId: string;
  firstActivityId: string | undefined;
  lastActivityId: string | undefined;

  constructor(options: { locale?: string; channelId?: string } = {}) {
    this.locale = options.locale ?? 'en-US';
    this.channelId = options.channelId ?? 'emulator';
  }

  activity(fields: Record<string, unknown>): Record<string, unknown> {
    const id = randomUUID();
    return {
      type: 'message',
      id,
      timestamp: new Date().toISOString(),
      localTimestamp: new Date().toISOString(),
      localTimezone: 'Europe/Berlin',
      serviceUrl,
      channelId: this.channelId,
      from: { id: this.userId, name: 'User', role: 'user' },
      conversation: { id: this.conversationId },
      recipient: BOT,
      textFormat: 'plain',
      locale: this.locale,
      entities: [{ type: 'ClientCapabilities', requiresBotState: true, supportsListening: true, supportsTts: true }],
      channelData: { clientActivityID: `${Date.now()}${Math.random().toString(36).slice(2)}` },
      ...fields,
    };
  }

  post(activity: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const body = typeof activity === 'string' ? activity : JSON.stringify(activity);
    if (typeof activity === 'object' && activity && 'id' in activity) {
      this.lastActivityId = String((activity as { id: unknown }).id);
      this.firstActivityId ??= this.lastActivityId;
    }
    return fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body });
  }

  /** Posts an activity, expects the Emulator's 200, waits for the turn; answers what the bot sent meanwhile. */
  async send(activity: Record<string, unknown>): Promise<ConnectorActivity[]> {
    const before = emulator.to(this.conversationId).length;
    const response = await this.post(activity);
    expect(response.status, await response.clone().text()).toBe(200);
    await server.app.botFramework.idle();
    return emulator.to(this.conversationId).slice(before).map((posted) => posted.activity);
  }

  say(text: string | undefined, attachments?: { contentType: string; name?: string; contentUrl: string }[]): Promise<ConnectorActivity[]> {
    return this.send(this.activity({ ...(text === undefined ? {} : { text }), ...(attachments ? { attachments } : {}) }));
  }

  /** The Emulator's "start conversation": the bot and the user added. */
  join(): Promise<ConnectorActivity[]> {
    return this.send(this.activity({ type: 'conversationUpdate', membersAdded: [{ id: BOT.id, name: BOT.name }, { id: this.userId, name: 'User' }] }));
  }

  /** Our conversation id for this Emulator conversation (derived, as the gateway derives it). */
  get recordId(): string {
    const externalId = `${this.channelId}:${this.conversationId}`;
    return `botframework-${createHash('sha256').update(`botframework\n${externalId}`).digest('hex').slice(0, 32)}`;
  }

  async history() {
    const record = await server.app.gateway.record(this.recordId);
    return record ? (await server.app.gateway.history(record, 0)).activities : [];
  }
}

function texts(activities: ConnectorActivity[]): string {
  return activities.map((activity) => activity.text ?? '').join('\n');
}

function awaiting(activities: ConnectorActivity[]): string | undefined {
  return activities.findLast((activity) => activity.channelData?.awaiting)?.channelData?.awaiting;
}

function tap(activities: ConnectorActivity[], title: string): string {
  const action = activities.flatMap((activity) => activity.suggestedActions?.actions ?? []).find((candidate) => candidate.title === title);
  expect(action, `a "${title}" button`).toBeDefined();
  expect(action?.type).toBe('imBack');
  return action?.value as string;
}

async function evidenceStored(bytes: Uint8Array): Promise<boolean> {
  return (await server.app.stores.evidence.get(createHash('sha256').update(bytes).digest('hex'))) !== undefined;
}

/** Greets, then leads the conversation to the evidence question (order 100102, Han Meimei's). */
async function untilEvidence(user: EmulatorUser): Promise<void> {
  await user.join();
  const identity = await user.say('I want a refund for order 100102, the speaker stopped working');
  expect(texts(identity)).toContain(prompts.t('en', 'ask.identity', { orderId: '100102' }));
  const evidence = await user.say('hanmeimei@example.com');
  expect(awaiting(evidence)).toBe('evidence');
}

describe.each([
  ['sqlite', 'JPEG', JPEG, 'image/jpeg', 'photo.jpg'],
  ['redis', 'PNG', PNG, 'image/png', 'photo.png'],
] as const)('Bot Framework channel on %s: a refund with a photo (%s)', (store, _kind, bytes, contentType, name) => {
  it('greets, asks, takes the photo from the Emulator and decides, citing the clause', async () => {
    await start({ store });
    const user = new EmulatorUser();
    const greeting = await user.join();
    expect(greeting).toHaveLength(1);
    expect(greeting[0]?.text).toBe(prompts.t('en', 'greeting'));
    expect(greeting[0]?.suggestedActions?.actions.map((action) => action.title)).toContain(prompts.t('en', 'action.refund'));

    await untilEvidenceAfterGreeting(user);
    const confirm = await user.say(undefined, [{ contentType, name, contentUrl: emulator.file(bytes, contentType) }]);
    expect(awaiting(confirm)).toBe('confirm');
    // Fetched once, from the Emulator, and without a token (authentication is off).
    expect(emulator.fileRequests).toHaveLength(1);
    expect(emulator.fileRequests[0]?.authorization).toBeUndefined();
    expect(await evidenceStored(bytes)).toBe(true);

    const decision = await user.say(tap(confirm, prompts.t('en', 'action.yes')));
    const announced = decision.find((activity) => activity.channelData?.case);
    expect(announced?.channelData?.case).toMatchObject({ outcome: 'full', status: 'approved' });
    const clauses = announced?.channelData?.case?.clauses ?? [];
    expect(clauses.length).toBeGreaterThan(0);
    expect(texts(decision)).toContain(clauses[0]);
    const cases = await server.app.stores.cases.byConversation(user.recordId);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ orderId: '100102', status: 'approved' });
    expect(cases[0]?.evidence.map((file) => file.name)).toEqual([name]);

    // Every answer went back as a reply to the user's activity, as the bot, in English, plain text.
    const sent = emulator.to(user.conversationId);
    const last = sent.at(-1) as PostedActivity;
    expect(last.replyTo).toBe(user.lastActivityId);
    expect(last.activity).toMatchObject({ type: 'message', locale: 'en', textFormat: 'plain', from: { id: BOT.id }, recipient: { id: user.userId } });
  });
});

/** After the greeting: the order, then the identity, up to the evidence question. */
async function untilEvidenceAfterGreeting(user: EmulatorUser): Promise<void> {
  const identity = await user.say('I want a refund for order 100102, the speaker stopped working');
  expect(texts(identity)).toContain(prompts.t('en', 'ask.identity', { orderId: '100102' }));
  const evidence = await user.say('hanmeimei@example.com');
  expect(awaiting(evidence)).toBe('evidence');
}

describe('Bot Framework channel (Emulator, no app id)', () => {
  it('greets a user added to the conversation once, and never for the bot alone', async () => {
    await start();
    const user = new EmulatorUser();
    expect(texts(await user.join())).toBe(prompts.t('en', 'greeting'));
    // The same user added again (another conversationUpdate) is not greeted twice.
    expect(await user.join()).toEqual([]);
    expect((await user.history()).filter((activity) => activity.from.role === 'bot')).toHaveLength(1);

    const botOnly = new EmulatorUser();
    expect(await botOnly.send(botOnly.activity({ type: 'conversationUpdate', membersAdded: [{ id: BOT.id, name: BOT.name }] }))).toEqual([]);
    expect(await server.app.gateway.record(botOnly.recordId)).toBeUndefined();

    // A Chinese Emulator locale makes a Chinese conversation.
    const chinese = new EmulatorUser({ locale: 'zh-TW' });
    expect(texts(await chinese.join())).toBe(prompts.t('zh-TW', 'greeting'));

    // The greeting replies to the conversationUpdate (ReplyToActivity), except in Web Chat, where
    // a conversationUpdate is not an activity to reply to (SendToConversation).
    expect(emulator.to(user.conversationId)[0]?.replyTo).toBe(user.firstActivityId);
    const webChat = new EmulatorUser({ channelId: 'webchat' });
    expect(texts(await webChat.join())).toBe(prompts.t('en', 'greeting'));
    expect(emulator.to(webChat.conversationId)).toHaveLength(1);
    expect(emulator.to(webChat.conversationId)[0]?.replyTo).toBeUndefined();
  });

  it('runs an activity delivered three times as one turn', async () => {
    await start();
    const user = new EmulatorUser();
    const activity = user.activity({ text: 'I want a refund' });
    const answers = await Promise.all([user.post(activity), user.post(activity), user.post(activity)]);
    for (const response of answers) expect(response.status).toBe(200);
    await server.app.botFramework.idle();
    expect(emulator.to(user.conversationId)).toHaveLength(1);
    expect((await user.history()).filter((entry) => entry.from.role === 'user')).toHaveLength(1);
    // A new activity id is a new message.
    await user.say('100102');
    expect((await user.history()).filter((entry) => entry.from.role === 'user')).toHaveLength(2);
  });

  it('answers 400 for malformed JSON or something that is not an activity, and stores nothing', async () => {
    await start();
    const user = new EmulatorUser();
    const broken = await user.post('{"type":"message","text":');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    for (const [body, field] of [
      [{ type: 'message', text: 'hello' }, 'channelId'],
      [user.activity({ serviceUrl: 'not a url' }), 'serviceUrl'],
      [user.activity({ conversation: {} }), 'conversation.id'],
      [user.activity({ from: 'User' }), 'from'],
      [[user.activity({ text: 'hello' })], ''],
    ] as const) {
      const response = await user.post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('bad_request');
      if (field) expect(error.message).toContain(field);
    }
    await server.app.botFramework.idle();
    expect(emulator.posted).toEqual([]);
    expect(await server.app.gateway.record(user.recordId)).toBeUndefined();
  });

  it('refuses (401) a serviceUrl that is not this machine: no app id means the Emulator only', async () => {
    await start();
    for (const elsewhere of ['https://smba.trafficmanager.net/amer/', 'http://10.0.0.7:3978', 'http://127.0.0.1.example.com:80']) {
      const user = new EmulatorUser();
      const response = await user.post(user.activity({ text: 'I want a refund', serviceUrl: elsewhere }));
      expect(response.status, elsewhere).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      await server.app.botFramework.idle();
      expect(await server.app.gateway.record(user.recordId)).toBeUndefined();
    }
    // localhost is this machine too.
    const local = new EmulatorUser();
    const response = await local.post(local.activity({ text: 'I want a refund', serviceUrl: serviceUrl.replace('127.0.0.1', 'localhost') }));
    expect(response.status).toBe(200);
  });

  it('tells the customer about an .exe named photo.png and a file over 10 MB, and stores neither', async () => {
    await start();
    const user = new EmulatorUser();
    await untilEvidence(user);
    const userMessages = async () => (await user.history()).filter((entry) => entry.from.role === 'user').length;
    const before = await userMessages();

    const exe = await user.say(undefined, [{ contentType: 'image/png', name: 'photo.png', contentUrl: emulator.file(EXE, 'image/png') }]);
    expect(texts(exe)).toBe(prompts.t('en', 'file.badType', { name: 'photo.png' }));
    expect(await evidenceStored(EXE)).toBe(false);

    const huge = Buffer.concat([Buffer.from(JPEG), Buffer.alloc(10 * 1024 * 1024)]);
    for (const chunked of [false, true]) {
      const tooLarge = await user.say(undefined, [{ contentType: 'image/jpeg', name: 'big.jpg', contentUrl: emulator.file(huge, 'image/jpeg', { chunked }) }]);
      expect(texts(tooLarge), `chunked: ${chunked}`).toBe(prompts.t('en', 'file.tooLarge', { name: 'big.jpg' }));
    }
    expect(await evidenceStored(huge)).toBe(false);

    // A link to another host (here: this machine by another name) is never fetched.
    const requests = emulator.fileRequests.length;
    const foreign = emulator.file(JPEG, 'image/jpeg').replace('127.0.0.1', 'localhost');
    expect(texts(await user.say(undefined, [{ contentType: 'image/jpeg', name: 'elsewhere.jpg', contentUrl: foreign }]))).toBe(prompts.t('en', 'file.unavailable', { name: 'elsewhere.jpg' }));
    expect(emulator.fileRequests).toHaveLength(requests);
    expect(await evidenceStored(JPEG)).toBe(false);

    // None of it reached the conversation: it still waits for proof, and a good photo goes on.
    expect(await userMessages()).toBe(before);
    expect(awaiting(await user.say(undefined, [{ contentType: 'image/jpeg', name: 'photo.jpg', contentUrl: emulator.file(JPEG, 'image/jpeg') }]))).toBe('confirm');
  });

  it('tells a Chinese customer in Chinese, and takes the text of a message whose file is refused', async () => {
    await start();
    const user = new EmulatorUser({ locale: 'zh-CN' });
    await user.join();
    const replies = await user.say('订单100102的音箱坏了，我要退款', [{ contentType: 'image/png', name: 'a.png', contentUrl: emulator.file(EXE, 'image/png') }]);
    expect(replies[0]?.text).toBe(prompts.t('zh-CN', 'file.badType', { name: 'a.png' }));
    expect(texts(replies.slice(1))).toContain(prompts.t('zh-CN', 'ask.identity', { orderId: '100102' }));
  });

  it("relays an agent's reply (with a file) to the Emulator as a proactive message", async () => {
    await start();
    const user = new EmulatorUser();
    await user.join();
    await user.say('talk to a person');
    const agent: Agent = { id: 'console:li-lei', name: 'Li Lei', via: 'console' };
    const file = await server.app.stores.evidence.put(PNG, { name: 'label.png', conversationId: user.recordId });
    const before = emulator.to(user.conversationId).length;
    expect((await server.app.handoff.act(user.recordId, agent, { kind: 'take_over' })).ok).toBe(true);
    const reply = await server.app.handoff.act(user.recordId, agent, { kind: 'reply', text: 'Hello, this is Li Lei.', files: [{ evidenceId: file.id, name: 'label.png', contentType: 'image/png' }] });
    expect(reply.ok).toBe(true);
    const relayed = await until(() => emulator.to(user.conversationId).slice(before).find((posted) => posted.activity.text?.includes('Hello, this is Li Lei.')), 'the relayed reply');
    expect(relayed.activity.text).toBe(`${prompts.t('en', 'agent.label', { name: 'Li Lei' })}: Hello, this is Li Lei.`);
    expect(relayed.activity.text).toMatch(/^Li Lei\b/);
    const link = relayed.activity.attachments?.find((attachment) => attachment.name === 'label.png')?.contentUrl;
    expect(link).toMatch(/\/v1\/evidence\/[0-9a-f]{64}\?expires=/);
    const download = await fetch((link as string).replace(/^http:\/\/localhost:\d+/, server.url));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(PNG))).toBe(true);
  });

  it('answers at once and still answers a slow turn (a slow download) exactly once', { timeout: 30_000 }, async () => {
    await start();
    const user = new EmulatorUser();
    await untilEvidence(user);
    emulator.fileDelayMs = 3000;
    const before = emulator.to(user.conversationId).length;
    const activity = user.activity({ attachments: [{ contentType: 'image/jpeg', name: 'photo.jpg', contentUrl: emulator.file(JPEG, 'image/jpeg') }] });
    const started = Date.now();
    const first = await user.post(activity);
    expect(first.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
    // The Bot Service redelivers an activity it thinks was lost: it is taken already.
    const again = await user.post(activity);
    expect(again.status).toBe(200);
    await server.app.botFramework.idle();
    const sent = emulator.to(user.conversationId).slice(before).map((posted) => posted.activity);
    expect(awaiting(sent)).toBe('confirm');
    expect(sent.filter((reply) => reply.channelData?.awaiting === 'confirm')).toHaveLength(1);
    expect(emulator.fileRequests).toHaveLength(1);
  });

  it('speaks Teams: strips the @mention, answers in the Teams locale, choices as a HeroCard', async () => {
    await start();
    const user = new EmulatorUser({ channelId: 'msteams', locale: 'zh-CN' });
    const replies = await user.send(
      user.activity({
        text: '<at>Refund Bot</at> 我要退款',
        conversation: { id: user.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
        entities: [{ type: 'mention', text: '<at>Refund Bot</at>', mentioned: { id: BOT.id, name: BOT.name } }],
      }),
    );
    expect(replies.length).toBeGreaterThan(0);
    expect((await user.history()).find((entry) => entry.from.role === 'user')?.text).toBe('我要退款');
    const greeting = new EmulatorUser({ channelId: 'msteams', locale: 'zh-CN' });
    const [welcome] = await greeting.join();
    expect(welcome?.text).toBe(prompts.t('zh-CN', 'greeting'));
    expect(welcome?.suggestedActions).toBeUndefined();
    const card = welcome?.attachments?.find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.hero');
    expect(card?.content?.buttons?.map((button) => button.type)).toContain('imBack');
    expect(card?.content?.buttons?.map((button) => button.title)).toContain(prompts.t('zh-CN', 'action.refund'));
  });
});

describe('Bot Framework channel with MicrosoftAppId (JWT required)', () => {
  it('refuses (401) a request without a token, with a garbage one, and with a token from an untrusted issuer', async () => {
    await start({ env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' } });
    const user = new EmulatorUser();
    const forged = [
      Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' })).toString('base64url'),
      Buffer.from(JSON.stringify({ iss: 'https://attacker.example', aud: APP_ID, serviceurl: serviceUrl, exp: 4_102_444_800 })).toString('base64url'),
      'c2lnbmF0dXJl',
    ].join('.');
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer garbage' }, { authorization: `Bearer ${forged}` }, { authorization: 'Basic dXNlcjpwYXNz' }]) {
      const response = await user.post(user.activity({ text: 'I want a refund' }), headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    await server.app.botFramework.idle();
    expect(emulator.posted).toEqual([]);
    expect(await server.app.gateway.record(user.recordId)).toBeUndefined();
  });
});
