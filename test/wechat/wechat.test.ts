import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WeChatCipher, wechatSignature } from '../../src/channels/wechat/crypto.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../support/server.ts';
import { prompts } from '../support/drive.ts';
import { TINY_JPEG, WeChatStandIn } from '../support/wechatStandIn.ts';
import { DESK_ACTIONS, encodeButtonValue } from '../../src/channels/slack-desk/actions.ts';
import { blockActions, threadMessageEvent } from '../slack/payloads.ts';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis.ts';
import { type SignedRequest, signedEvent, signedInteraction } from '../support/slackSigner.ts';
import type { SlackStandIn } from '../support/slackStandIn.ts';
import { DESK_AGENT as AGENT, DESK_CHANNEL as CHANNEL, DESK_SECRET as SECRET, deskEnv, startDeskStandIn } from '../support/slackDesk.ts';
import { until } from '../support/wait.ts';

const NOW = '2026-11-20T12:00:00Z';
const TOKEN = 'wechat-test-token';
const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = 'wechat-test-secret';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const OLD_AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const ACCOUNT = 'gh_refundbot';

let server: TestServer;
let wechat: WeChatStandIn;

async function start(env: Record<string, string> = {}): Promise<void> {
  wechat = new WeChatStandIn(APP_ID, APP_SECRET);
  const base = await wechat.start();
  server = await startServer({ now: NOW, env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: APP_SECRET, WECHAT_API_BASE_URL: base, ...env } });
}

afterEach(async () => {
  await server?.close();
  await wechat?.close();
});

let msgIds = 6_000_000_000_000_000_000n;
let seconds = 1_763_640_000;

/** A user's message as WeChat pushes it (Receiving standard messages). */
function textXml(openId: string, content: string, msgId = String(msgIds++)): string {
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${seconds++}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
}

function imageXml(openId: string, mediaId: string, msgId = String(msgIds++)): string {
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${seconds++}</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.example/pic]]></PicUrl><MediaId><![CDATA[${mediaId}]]></MediaId><MsgId>${msgId}</MsgId></xml>`;
}

function subscribeXml(openId: string, createTime = seconds++): string {
  return `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
}

/** POSTs a push signed as WeChat signs it (plaintext mode), to `options.url` (default: the test's server). */
async function push(xml: string, options: { signature?: string; url?: string } = {}): Promise<Response> {
  const timestamp = String(seconds);
  const nonce = String(Math.floor(Math.random() * 1e9));
  const signature = options.signature ?? wechatSignature(TOKEN, timestamp, nonce);
  return fetch(`${options.url ?? server.url}/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&openid=x`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
}

/** POSTs a push in safe mode: the message encrypted with `key`, wrapped and signed with msg_signature. */
async function pushEncrypted(xml: string, key = AES_KEY): Promise<Response> {
  const timestamp = String(seconds);
  const nonce = String(Math.floor(Math.random() * 1e9));
  const encrypt = new WeChatCipher({ appId: APP_ID, encodingAesKeys: [key] }).encrypt(xml);
  const msgSignature = wechatSignature(TOKEN, timestamp, nonce, encrypt);
  const signature = wechatSignature(TOKEN, timestamp, nonce);
  const body = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
  return fetch(`${server.url}/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${msgSignature}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
}

/** Pushes, expects WeChat's `success`, and waits until the message is processed. */
async function say(xml: string): Promise<string[]> {
  const before = wechat.sent.length;
  const response = await push(xml);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('success');
  await idle();
  return wechat.sent.slice(before).map((message) => message.text.content);
}

/** Waits until every accepted push has been processed (the channel answers before it works). */
async function idle(): Promise<void> {
  await server.app.wechat?.idle();
}

function openId(): string {
  return `o${randomUUID().replaceAll('-', '').slice(0, 27)}`;
}

describe('WeChat Official Account channel (plaintext mode)', () => {
  beforeEach(async () => {
    await start();
  });

  it('answers URL verification with echostr, and 401 for a bad signature', async () => {
    const timestamp = '1714036504';
    const nonce = '1514711492';
    const good = await fetch(`${server.url}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&echostr=4375120948345356249&timestamp=${timestamp}&nonce=${nonce}`);
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('4375120948345356249');
    const bad = await fetch(`${server.url}/wechat?signature=${'0'.repeat(40)}&echostr=4375120948345356249&timestamp=${timestamp}&nonce=${nonce}`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain('4375120948345356249');
  });

  it('greets a new follower, then completes a refund with a photo, picking "是" by its number', async () => {
    const user = openId();
    const greeting = await say(subscribeXml(user));
    expect(greeting).toHaveLength(1);
    expect(greeting[0]).toContain(prompts.t('zh-CN', 'greeting'));
    expect(greeting[0]).toMatch(/\n1\. /);

    const identity = await say(textXml(user, '订单100102的音箱坏了，我要退款'));
    expect(identity.join('\n')).toContain(prompts.t('zh-CN', 'ask.identity', { orderId: '100102' }));
    const evidence = await say(textXml(user, 'hanmeimei@example.com'));
    expect(await awaiting(user)).toBe('evidence');
    expect(evidence.length).toBeGreaterThan(0);

    wechat.media.set('MEDIA_PHOTO_1', TINY_JPEG);
    const confirm = await say(imageXml(user, 'MEDIA_PHOTO_1'));
    expect(wechat.mediaRequests).toBe(1);
    expect(await awaiting(user)).toBe('confirm');
    const choices = confirm.at(-1) ?? '';
    const yes = choices.split('\n').find((line) => line.endsWith(`. ${prompts.t('zh-CN', 'action.yes')}`));
    expect(yes).toBeDefined();

    const decision = await say(textXml(user, (yes as string).split('.')[0] as string));
    expect(decision.length).toBeGreaterThan(0);
    const cases = await server.app.stores.cases.byConversation(await conversationId(user));
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ orderId: '100102', status: 'approved' });
    expect(cases[0]?.evidence.length).toBeGreaterThan(0);
    // One token for the whole conversation: cached, not fetched per call.
    expect(wechat.tokenRequests).toBe(1);
  });

  it('runs a message delivered three times (WeChat retries) as one turn', async () => {
    const user = openId();
    const xml = textXml(user, '我要退款', '6100000000000000001');
    const answers = await Promise.all([push(xml), push(xml), push(xml)]);
    for (const response of answers) expect(await response.text()).toBe('success');
    await idle();
    expect(wechat.textsTo(user)).toHaveLength(1);
    const { activities } = await server.app.gateway.history((await server.app.gateway.record(await conversationId(user)))!, 0);
    expect(activities.filter((activity) => activity.from.role === 'user')).toHaveLength(1);
    // A subscribe event retried (same FromUserName + CreateTime) greets once.
    const other = openId();
    await say(subscribeXml(other, 1_763_000_000));
    await say(subscribeXml(other, 1_763_000_000));
    expect(wechat.textsTo(other)).toHaveLength(1);
  });

  it('refuses a bad signature (401) and malformed XML (400) without processing anything', async () => {
    const user = openId();
    const forged = await push(textXml(user, '我要退款'), { signature: 'f'.repeat(40) });
    expect(forged.status).toBe(401);
    const malformed = await push(`<xml><FromUserName><![CDATA[${user}]]></FromUserName><MsgType>text</MsgType><Content>hi</Conten></xml>`);
    expect(malformed.status).toBe(400);
    const notXml = await push('hello');
    expect(notXml.status).toBe(400);
    await idle();
    expect(wechat.sent).toHaveLength(0);
    expect(await server.app.gateway.record(await conversationId(user))).toBeUndefined();
  });

  it('answers at once and still delivers the reply of a slow (6-second) turn exactly once', { timeout: 30_000 }, async () => {
    const user = openId();
    await say(textXml(user, '订单100102的音箱坏了，我要退款'));
    await say(textXml(user, 'hanmeimei@example.com'));
    wechat.media.set('SLOW', TINY_JPEG);
    wechat.mediaDelayMs = 6000;
    const before = wechat.textsTo(user).length;
    const xml = imageXml(user, 'SLOW');
    const started = Date.now();
    const first = await push(xml);
    expect(await first.text()).toBe('success');
    expect(Date.now() - started).toBeLessThan(2000);
    // WeChat's retry after 5 seconds finds the message already taken.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(await (await push(xml)).text()).toBe('success');
    await idle();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await idle();
    expect(wechat.textsTo(user).length - before).toBe(1);
    expect(wechat.mediaRequests).toBe(1);
    expect(await awaiting(user)).toBe('confirm');
  });

  it("relays an agent's reply from the built-in desk to the WeChat customer", async () => {
    const user = openId();
    await say(textXml(user, '我要找人工客服'));
    const id = await conversationId(user);
    const before = wechat.textsTo(user).length;
    for (const action of [{ kind: 'take_over' }, { kind: 'reply', text: '您好，我是客服李雷。' }]) {
      const response = await fetch(`${server.url}/v1/desk/conversations/${id}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'Li Lei', action }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
    }
    await idle();
    expect(wechat.textsTo(user).slice(before).join('\n')).toContain('您好，我是客服李雷。');
  });
});

describe('WeChat safe mode', () => {
  beforeEach(async () => {
    await start({ WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_ENCODING_AES_KEY_PREVIOUS: OLD_AES_KEY });
  });

  it('decrypts a signed, encrypted push (current and previous key) and refuses a bad msg_signature', async () => {
    const user = openId();
    const response = await pushEncrypted(textXml(user, '我要退款'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('success');
    await idle();
    expect(wechat.textsTo(user)).toHaveLength(1);
    const old = await pushEncrypted(textXml(user, '100102'), OLD_AES_KEY);
    expect(old.status).toBe(200);
    await idle();
    expect(wechat.textsTo(user)).toHaveLength(2);
    const foreign = await pushEncrypted(textXml(user, '100102'), 'QWERTYUIOPASDFGHJKLZXCVBNMqwertyuiopasdfghj');
    expect(foreign.status).toBe(401);
    // A plaintext push carrying only a valid `signature` is not enough when encrypt_type=aes.
    const timestamp = String(seconds);
    const nonce = '42';
    const unsigned = await fetch(`${server.url}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes&msg_signature=${'0'.repeat(40)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${new WeChatCipher({ appId: APP_ID, encodingAesKeys: [AES_KEY] }).encrypt(textXml(user, 'x'))}]]></Encrypt></xml>`,
    });
    expect(unsigned.status).toBe(401);
  });

  it('verifies a safe-mode URL check (msg_signature over the encrypted echostr) and echoes it decrypted', async () => {
    const echostr = new WeChatCipher({ appId: APP_ID, encodingAesKeys: [AES_KEY] }).encrypt('1616140317555161061');
    const timestamp = '1714036504';
    const nonce = '1514711492';
    const ok = await fetch(`${server.url}/wechat?msg_signature=${wechatSignature(TOKEN, timestamp, nonce, echostr)}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echostr)}`);
    expect(await ok.text()).toBe('1616140317555161061');
    const bad = await fetch(`${server.url}/wechat?msg_signature=${'1'.repeat(40)}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(echostr)}`);
    expect(bad.status).toBe(401);
  });
});

describe('WeChat across instances and tokens', () => {
  it('shares one access_token and the numbered choices between two instances on one Redis', async () => {
    const prefix = testPrefix('wechat-shared');
    await start({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix });
    const other = await startServer({ now: NOW, env: { WECHAT_TOKEN: TOKEN, WECHAT_APP_ID: APP_ID, WECHAT_APP_SECRET: APP_SECRET, WECHAT_API_BASE_URL: wechat.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } });
    try {
      const user = openId();
      // Instance A greets and shows the numbered choices; instance B gets the answer "1".
      await say(subscribeXml(user));
      const greeting = wechat.textsTo(user).at(-1) ?? '';
      const first = /\n1\. (.+)/.exec(greeting)?.[1];
      expect(first).toBeDefined();
      const before = wechat.textsTo(user).length;
      const response = await push(textXml(user, '1'), { url: other.url });
      expect(await response.text()).toBe('success');
      await other.app.wechat?.idle();
      const record = await other.app.gateway.record(await conversationId(user));
      const { activities } = await other.app.gateway.history(record as NonNullable<typeof record>, 0);
      // The number was read as the choice it stood for, on the other instance.
      expect(activities.filter((activity) => activity.from.role === 'user').at(-1)?.text).not.toBe('1');
      expect(wechat.textsTo(user).length).toBeGreaterThan(before);
      // Both instances sent with the one token A fetched.
      expect(wechat.tokenRequests).toBe(1);
      expect(new Set(wechat.sent.map((message) => message.accessToken))).toEqual(new Set(['token-1']));
    } finally {
      await other.close();
      await deleteKeys(prefix);
    }
  });

  it('drops a token WeChat calls invalid, fetches one new token, and still delivers the reply', async () => {
    await start();
    const user = openId();
    await say(subscribeXml(user));
    expect(wechat.tokenRequests).toBe(1);
    wechat.revokeTokens();
    const replies = await say(textXml(user, '你好'));
    expect(replies.length).toBeGreaterThan(0);
    expect(wechat.tokenRequests).toBe(2);
    expect(wechat.sent.at(-1)?.accessToken).toBe('token-2');
    expect(JSON.parse((await server.app.stores.values.get(`wechat:access-token:${APP_ID}`)) ?? '{}')).toMatchObject({ value: 'token-2' });
  });
});

describe('WeChat customer with the Slack agent desk', () => {
  let slack: SlackStandIn | undefined;

  afterEach(async () => {
    await slack?.close();
  });

  it('relays both ways: the customer on WeChat, the agent in the card thread', async () => {
    slack = await startDeskStandIn();
    await start(deskEnv(slack));
    const stand = slack;
    const seconds = () => Math.floor(server.clock.now().getTime() / 1000);
    const send = (request: SignedRequest) => fetch(`${server.url}/slack/events`, { method: 'POST', headers: request.headers, body: request.body });

    const user = openId();
    await say(textXml(user, '我要找人工客服'));
    const id = await conversationId(user);
    const card = await until(() => stand.messages.find((message) => message.channel === CHANNEL && !message.thread_ts), 'the case card');

    const click = blockActions({ userId: AGENT.id, actionId: DESK_ACTIONS.takeOver, value: encodeButtonValue({ conversationId: id }), channel: CHANNEL, messageTs: card.ts });
    expect((await send(signedInteraction(SECRET, click, seconds()))).status).toBe(200);
    await until(() => wechat.textsTo(user).some((text) => text.includes(prompts.t('zh-CN', 'agent.joined', { name: 'Wang' }))), 'the WeChat customer to hear Wang joined');

    // WeChat → the card's thread.
    expect(await say(textXml(user, '耳机左边没有声音'))).toEqual([]);
    await until(() => stand.messages.find((message) => message.thread_ts === card.ts && message.text.includes('耳机左边没有声音')), 'the customer message in the thread');

    // The thread → WeChat's customer-service API, once.
    const reply = threadMessageEvent({ userId: AGENT.id, text: '您好，请发一张照片。', channel: CHANNEL, threadTs: card.ts });
    expect((await send(signedEvent(SECRET, reply, seconds()))).status).toBe(200);
    await until(() => wechat.textsTo(user).some((text) => text.includes('您好，请发一张照片。')), 'the agent reply on WeChat');
    expect(wechat.textsTo(user).filter((text) => text.includes('您好，请发一张照片。'))).toHaveLength(1);
  });
});

async function conversationId(user: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `wechat-${createHash('sha256').update(`wechat\n${user}`).digest('hex').slice(0, 32)}`;
}

async function awaiting(user: string): Promise<unknown> {
  const record = await server.app.gateway.record(await conversationId(user));
  if (!record) return undefined;
  const { activities } = await server.app.gateway.history(record, 0);
  return activities.filter((activity) => activity.from.role === 'bot').at(-1)?.channelData?.awaiting;
}
