import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcedCase, awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { prompts } from '../support/drive.ts';
import { type BinProcess, freePort, killAllSpawned, spawnBin, waitForHealth } from '../support/process.ts';
import { countKeys, deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis.ts';
import { ADMIN_TOKEN } from '../support/server.ts';
import { EventStreamReader } from '../support/sse.ts';

/**
 * Two real server processes on one Redis, as behind a load balancer: a conversation moves
 * between them, bursts hit both at once, an update made on one reaches a stream on the other,
 * and one is killed mid-conversation.
 */
const prefix = testPrefix('multi');
const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-multi-'));
interface Instance { url: string; run: BinProcess }
let a: Instance;
let b: Instance;

async function startInstance(): Promise<Instance> {
  const port = await freePort();
  const run = spawnBin(['serve'], {
    env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, ADMIN_TOKEN, LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, run, 30_000);
  return { url, run };
}

/** A customer whose messages go to whichever instance each call names. */
function post(url: string, customer: Customer, text: string | undefined, attachments?: unknown[]): Promise<Response> {
  return fetch(`${url}/v1/conversations/${customer.conversationId}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
    body: JSON.stringify({ type: 'message', ...(text === undefined ? {} : { text }), ...(attachments ? { attachments } : {}) }),
  });
}

async function say(url: string, customer: Customer, text: string | undefined, attachments?: unknown[]): Promise<BotActivity[]> {
  const response = await post(url, customer, text, attachments);
  expect(response.status).toBe(200);
  return ((await response.json()) as { activities: BotActivity[] }).activities;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startInstance(), startInstance()]);
}, 60_000);

afterAll(async () => {
  await killAllSpawned();
  await deleteKeys(prefix);
  expect(await countKeys(prefix)).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('two instances on one Redis', () => {
  it('hold one conversation between them, alternating every message', async () => {
    const customer = new Customer(a.url);
    await customer.start('en');
    expect(awaiting(await say(b.url, customer, 'I want a refund'))).toBe('orderId');
    expect(awaiting(await say(a.url, customer, '100126'))).toBe('identity');
    expect(awaiting(await say(b.url, customer, 'linyijun@example.com'))).toBe('reason');
    const proof = await say(a.url, customer, 'the scarf is not as described, the colour is completely different');
    const confirm = awaiting(proof) === 'evidence' ? await say(b.url, customer, undefined, [jpegAttachment()]) : proof;
    expect(awaiting(confirm)).toBe('confirm');
    const decided = await say(a.url, customer, 'yes');
    const summary = announcedCase(decided);
    expect(summary).toMatchObject({ orderId: '100126', status: 'approved', amount: 269 });
    for (const instance of [a, b]) {
      const response = await fetch(`${instance.url}/v1/cases/${summary?.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.status).toBe(200);
    }
    // Both instances read the same history.
    const [viaA, viaB] = await Promise.all(
      [a, b].map(async (instance) => (await (await fetch(`${instance.url}/v1/conversations/${customer.conversationId}/activities`, { headers: { authorization: `Bearer ${customer.token}` } })).json()) as { watermark: number }),
    );
    expect(viaA).toEqual(viaB);
  });

  it('serialises bursts to both instances: no lost or duplicated turn, no 5xx, no interleaving', async () => {
    const conversations = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const customer = new Customer(a.url);
        await customer.start('en');
        return customer;
      }),
    );
    const perConversation = 6;
    const sent = conversations.flatMap((customer, c) =>
      Array.from({ length: perConversation }, (_, m) => ({ customer, text: `burst ${c}.${m} where is my refund`, url: m % 2 === 0 ? a.url : b.url })),
    );
    const responses = await Promise.all(sent.map(async ({ customer, text, url }) => ({ customer, text, response: await post(url, customer, text) })));
    expect(responses.map(({ response }) => response.status).filter((status) => status !== 200)).toEqual([]);
    const repliesByText = new Map<string, BotActivity[]>();
    for (const { text, response } of responses) repliesByText.set(text, ((await response.json()) as { activities: (BotActivity & { id: string })[] }).activities);

    for (const customer of conversations) {
      const { activities } = await customer.history();
      const users = activities.filter((activity) => activity.from.role === 'user').map((activity) => activity.text ?? '');
      const mine = sent.filter((message) => message.customer === customer).map((message) => message.text);
      // Every message exactly once.
      expect([...users].sort()).toEqual([...mine].sort());
      // Each turn's replies follow its message directly: turns never interleave.
      for (let index = 0; index < activities.length; index++) {
        const activity = activities[index] as BotActivity & { id?: string };
        if (activity.from.role !== 'user') continue;
        const replies = repliesByText.get(activity.text ?? '') as (BotActivity & { id?: string })[];
        const following = activities.slice(index + 1, index + 1 + replies.length) as (BotActivity & { id?: string })[];
        expect(following.map((reply) => reply.id)).toEqual(replies.map((reply) => reply.id));
      }
    }
  });

  it('processes messages in the order they arrive', async () => {
    const customer = new Customer(a.url);
    await customer.start('en');
    const texts = Array.from({ length: 8 }, (_, index) => `message ${index} where is my refund`);
    const pending: Promise<Response>[] = [];
    for (const [index, text] of texts.entries()) {
      pending.push(post(index % 2 === 0 ? a.url : b.url, customer, text));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect((await Promise.all(pending)).map((response) => response.status)).toEqual(texts.map(() => 200));
    const { activities } = await customer.history();
    expect(activities.filter((activity) => activity.from.role === 'user').map((activity) => activity.text)).toEqual(texts);
  });

  it('delivers an update made on one instance to a live stream on the other', async () => {
    const customer = new Customer(a.url);
    await customer.start('zh-TW');
    await say(a.url, customer, '訂單100128的鞋子尺碼發錯了，我要退款');
    await say(b.url, customer, 'hanmeimei@example.com');
    let replies = await say(a.url, customer, '我沒有照片');
    if (awaiting(replies) === 'category') replies = await say(a.url, customer, prompts.t('zh-TW', 'category.wrong_item'));
    expect(awaiting(replies)).toBe('confirm');
    const summary = announcedCase(await say(b.url, customer, '是'));
    expect(summary?.status).toBe('pending_review');

    const stream = new EventStreamReader();
    await stream.open(`${a.url}/v1/conversations/${customer.conversationId}/stream?access_token=${encodeURIComponent(customer.token)}`);
    try {
      const { watermark } = await customer.history();
      await stream.next((event) => Number(event.id) === watermark);
      const changed = await fetch(`${b.url}/v1/cases/${summary?.id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify({ status: 'approved' }),
      });
      expect(changed.status).toBe(200);
      const update = await stream.next((event) => Number(event.id) > watermark);
      expect((JSON.parse(update.data) as BotActivity)).toMatchObject({ locale: 'zh-TW', channelData: { case: { id: summary?.id, status: 'approved' } } });
    } finally {
      await stream.close();
    }
  });

  it('lets the customer carry on at the other instance when one is killed mid-conversation', async () => {
    const customer = new Customer(a.url);
    await customer.start('en');
    await say(a.url, customer, 'I want to cancel order 100101');
    expect(awaiting(await say(a.url, customer, 'lilei@example.com'))).toBe('reason');
    a.run.child.kill('SIGKILL');
    await a.run.exited;
    const next = await say(b.url, customer, 'I changed my mind, I do not need the headphones any more');
    expect(['confirm', 'category']).toContain(awaiting(next));
    const confirm = awaiting(next) === 'category' ? await say(b.url, customer, prompts.t('en', 'category.changed_mind')) : next;
    const summary = announcedCase(await say(b.url, customer, 'yes'));
    expect(summary).toMatchObject({ orderId: '100101', status: 'approved', amount: 309 });
    expect(awaiting(confirm)).toBe('confirm');
    const onB = Object.assign(new Customer(b.url), { conversationId: customer.conversationId, token: customer.token });
    const { activities } = await onB.history();
    // Nothing was asked twice.
    const asked = activities.map((activity) => activity.channelData?.awaiting).filter(Boolean);
    expect(new Set(asked).size).toBe(asked.length);
  });
});
