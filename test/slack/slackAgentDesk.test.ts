import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackAgentDesk } from '../../src/channels/slack-desk/slackAgentDesk.ts';
import type { DeskView } from '../../src/handoff/types.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { type SlackStandIn, startSlackStandIn } from '../support/slackStandIn.ts';
import { deskView, evidenceUrl, handoff } from './fixtures.ts';
import { AGENT_CHANNEL, captureLogger, clientFor } from './harness.ts';

let standIn: SlackStandIn;
let stores: Awaited<ReturnType<typeof makeSqliteHarness>>;
let log: ReturnType<typeof captureLogger>;
let desks: SlackAgentDesk[];

const held = (name: string): Partial<DeskView> => ({ handoff: handoff({ agent: { id: 'U0AGENT01', name, via: 'slack' } }) });

function newDesk(): SlackAgentDesk {
  const desk = new SlackAgentDesk({
    client: clientFor(standIn, log.logger),
    channel: AGENT_CHANNEL,
    deskStore: stores.stores.desk,
    evidenceUrl,
    logger: log.logger,
    // Fast backoff, so retries happen within the test.
    retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
  });
  desks.push(desk);
  return desk;
}

beforeEach(async () => {
  standIn = await startSlackStandIn();
  stores = await makeSqliteHarness();
  log = captureLogger();
  desks = [];
});

afterEach(async () => {
  for (const desk of desks) desk.close();
  await standIn.close();
  await stores.cleanup();
});

describe('SlackAgentDesk', () => {
  it('posts the card once with the bot token, then updates it in place', async () => {
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.idle();

    const [post] = standIn.succeeded('chat.postMessage');
    expect(post?.token).toBe(standIn.botToken);
    expect(post?.contentType).toContain('application/x-www-form-urlencoded');
    expect(post?.params).toMatchObject({ channel: AGENT_CHANNEL, text: 'Refund case RC-7K2M9Q · order 100234 — waiting for an agent' });
    expect(Array.isArray(post?.params.blocks)).toBe(true);
    const thread = await stores.stores.desk.thread('conv-1');
    expect(thread).toEqual({ channel: AGENT_CHANNEL, ts: standIn.messages[0]?.ts });
    if (!thread) throw new Error('no thread');
    expect(await stores.stores.desk.conversationOfThread(thread)).toBe('conv-1');

    await desk.publish(deskView(held('Wang Fang')));
    await desk.idle();
    expect(standIn.succeeded('chat.postMessage')).toHaveLength(1);
    expect(standIn.succeeded('chat.update').map((call) => call.params)).toEqual([expect.objectContaining({ channel: AGENT_CHANNEL, ts: thread.ts })]);
    expect(standIn.message(AGENT_CHANNEL, thread.ts)?.text).toContain('held by Wang Fang');
  });

  it('finds the card again after a restart (through the desk store) instead of posting another', async () => {
    await newDesk().publish(deskView());
    await desks[0]?.idle();
    const restarted = newDesk();
    await restarted.publish(deskView(held('Li Na')));
    await restarted.idle();
    expect(standIn.succeeded('chat.postMessage')).toHaveLength(1);
    expect(standIn.succeeded('chat.update')).toHaveLength(1);
  });

  it("posts the customer's messages into the card's thread, in order, files as links", async () => {
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.customerSaid(deskView(), { type: 'message', from: { role: 'user' }, text: 'Any news?' });
    await desk.customerSaid(deskView(), {
      type: 'message',
      from: { role: 'user' },
      text: 'Another photo',
      attachments: [{ contentType: 'image/jpeg', name: 'side.jpg', evidenceId: 'd'.repeat(64) }],
    });
    await desk.idle();
    const card = standIn.messages[0];
    const replies = standIn.messages.slice(1);
    expect(replies.map((message) => [message.thread_ts, message.text])).toEqual([
      [card?.ts, '*Customer:* Any news?'],
      [card?.ts, `*Customer:* Another photo\n:paperclip: <${evidenceUrl('d'.repeat(64))}|side.jpg>`],
    ]);
  });

  it('posts the card first when a customer message comes before any card', async () => {
    const desk = newDesk();
    await desk.customerSaid(deskView(), { type: 'message', from: { role: 'user' }, text: 'Hello?' });
    await desk.idle();
    expect(standIn.messages.map((message) => message.thread_ts)).toEqual([undefined, standIn.messages[0]?.ts]);
    expect(await stores.stores.desk.thread('conv-1')).toEqual({ channel: AGENT_CHANNEL, ts: standIn.messages[0]?.ts });
  });

  it('rides out a rate limit (429 + Retry-After) and a server error, then delivers once', async () => {
    standIn.failNext('chat.postMessage', { kind: 'ratelimited', retryAfter: 0 });
    standIn.failNext('chat.postMessage', { kind: 'http', status: 503 });
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.idle();
    expect(standIn.calls.filter((call) => call.method === 'chat.postMessage').map((call) => call.failed ?? 'ok')).toEqual(['ratelimited', 'http_503', 'ok']);
    expect(standIn.messages).toHaveLength(1);
    expect(await stores.stores.desk.thread('conv-1')).toBeDefined();
    expect(log.lines().filter((line) => line.msg === 'slack desk: delivery failed; will retry')).toHaveLength(2);
  });

  it('waits at least as long as Retry-After says', async () => {
    standIn.failNext('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 });
    const desk = newDesk();
    const started = Date.now();
    await desk.publish(deskView());
    await desk.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(standIn.succeeded('chat.postMessage')).toHaveLength(1);
  });

  it('sends only the latest card when newer ones arrive while one is in flight or failing', async () => {
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.idle();
    standIn.failNext('chat.update', { kind: 'http', status: 500 });
    // All three are queued before the first update's answer comes back.
    await desk.publish(deskView(held('First')));
    await desk.publish(deskView(held('Second')));
    await desk.publish(deskView(held('Third')));
    await desk.idle();
    const updates = standIn.calls.filter((call) => call.method === 'chat.update');
    expect(updates.map((call) => [String(call.params.text).replace(/^.* — /, ''), call.failed ?? 'ok'])).toEqual([
      ['held by First', 'http_500'],
      ['held by Third', 'ok'],
    ]);
    expect(standIn.messages[0]?.text).toContain('held by Third');
  });

  it('gives up at once on an error that would repeat, and after the last try on a lasting outage', async () => {
    standIn.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.idle();
    expect(standIn.calls.filter((call) => call.method === 'chat.postMessage')).toHaveLength(1);
    expect(log.lines().some((line) => line.msg === 'slack desk: delivery failed; giving up' && line.code === 'not_in_channel')).toBe(true);

    standIn.failNext('chat.postMessage', { kind: 'http', status: 500 }, 10);
    await desk.publish(deskView({ conversationId: 'conv-2' }));
    await desk.idle();
    expect(standIn.calls.filter((call) => call.method === 'chat.postMessage')).toHaveLength(1 + 4);
    expect(await stores.stores.desk.thread('conv-2')).toBeUndefined();
  });

  it('posts a new card when the old one was deleted', async () => {
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.idle();
    const first = standIn.messages[0]?.ts ?? '';
    standIn.deleteMessage(AGENT_CHANNEL, first);
    await desk.publish(deskView(held('Wang Fang')));
    await desk.idle();
    expect(standIn.calls.map((call) => [call.method, call.failed ?? 'ok'])).toEqual([
      ['chat.postMessage', 'ok'],
      ['chat.update', 'message_not_found'],
      ['chat.postMessage', 'ok'],
    ]);
    const thread = await stores.stores.desk.thread('conv-1');
    expect(thread?.ts).not.toBe(first);
    expect(thread?.ts).toBe(standIn.messages[0]?.ts);
  });

  it('keeps thread messages in order across a failure', async () => {
    const desk = newDesk();
    await desk.publish(deskView());
    await desk.idle();
    standIn.failNext('chat.postMessage', { kind: 'http', status: 502 });
    for (const text of ['one', 'two', 'three']) await desk.customerSaid(deskView(), { type: 'message', from: { role: 'user' }, text });
    await desk.idle();
    expect(standIn.messages.slice(1).map((message) => message.text)).toEqual(['*Customer:* one', '*Customer:* two', '*Customer:* three']);
  });

  it('never throws into the caller, even when Slack is unreachable', async () => {
    const desk = newDesk();
    await standIn.close();
    await expect(desk.publish(deskView())).resolves.toBeUndefined();
    await expect(desk.customerSaid(deskView(), { type: 'message', from: { role: 'user' }, text: 'hi' })).resolves.toBeUndefined();
    await desk.idle();
    expect(log.lines().some((line) => line.msg === 'slack desk: delivery failed; giving up' && line.code === 'request_failed')).toBe(true);
    standIn = await startSlackStandIn();
  });
});
