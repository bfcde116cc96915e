import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionResult, DeskView } from '../../src/handoff/types.ts';
import { awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { ADMIN_TOKEN, STORES, startServer, type TestServer } from '../support/server.ts';

const NOW = '2026-11-20T12:00:00Z';

describe.each(STORES)('handing conversations to people at the built-in desk (%s store)', (store) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer({ now: NOW, store });
  });
  afterEach(async () => {
    await server.close();
  });

  const desk = async (path = '', body?: unknown, token = ADMIN_TOKEN) =>
    fetch(`${server.url}/v1/desk/conversations${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  const act = async (conversationId: string, agent: string, action: unknown) => desk(`/${conversationId}/actions`, { agent, action });
  const openList = async () => ((await (await desk()).json()) as { conversations: DeskView[] }).conversations;

  it('a disputed refusal reaches a person who takes over, talks, approves part of it, and the assistant resumes', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const { summary } = await driveRefund(customer, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' });
    expect(summary.status).toBe('denied');
    const disputed = await customer.say(prompts.t('en', 'action.disagree'));
    expect(disputed.at(-1)?.text).toBe(prompts.t('en', 'escalated.withCase', { caseId: summary.id, minutes: 30 }));

    const [waiting] = await openList();
    expect(waiting).toMatchObject({ conversationId: customer.conversationId, handoff: { reason: 'dispute', caseId: summary.id }, refundCase: { id: summary.id, status: 'escalated' } });
    expect(waiting?.contact).not.toContain('chenjing@example.com');
    expect(waiting?.maxRefund).toBe(13500);

    expect((await act(customer.conversationId, 'Wang', { kind: 'take_over' })).status).toBe(200);
    // Another person cannot take it from Wang.
    const second = await act(customer.conversationId, 'Li', { kind: 'take_over' });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'held_by_other' } });

    // While Wang holds it, the assistant is silent and the customer's words reach the desk.
    expect(await customer.say('I really need this mouse refunded, it broke after a week')).toEqual([]);
    const reply = await act(customer.conversationId, 'Wang', { kind: 'reply', text: 'Sorry about that! I can refund part of it as a goodwill gesture.' });
    expect(reply.status).toBe(200);
    const { view } = (await reply.json()) as Extract<ActionResult, { ok: true }>;
    expect(view.transcript.map((activity) => activity.text)).toContain('I really need this mouse refunded, it broke after a week');

    // Never above what was paid.
    const tooMuch = await act(customer.conversationId, 'Wang', { kind: 'approve', amount: 135.01 });
    expect(tooMuch.status).toBe(400);
    expect(await tooMuch.json()).toMatchObject({ error: { code: 'amount_too_high' } });
    expect((await act(customer.conversationId, 'Wang', { kind: 'approve', amount: 60 })).status).toBe(200);
    // A second click on a decided case does nothing.
    const again = await act(customer.conversationId, 'Wang', { kind: 'approve', amount: 60 });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'stale' } });

    const { activities } = await customer.history();
    const agentLines = activities.filter((activity) => activity.from.role === 'agent');
    expect(agentLines).toMatchObject([{ from: { role: 'agent', name: 'Wang' }, text: 'Sorry about that! I can refund part of it as a goodwill gesture.' }]);
    const texts = activities.map((activity) => activity.text);
    expect(texts).toContain(prompts.t('en', 'agent.joined', { name: 'Wang' }));
    // Order 100105 was paid by card.
    expect(texts).toContain(prompts.t('en', 'agent.approved', { name: 'Wang', caseId: summary.id, amount: '¥60.00', payment: prompts.t('en', 'payment.card') }));
    expect(texts.at(-1)).toBe(prompts.t('en', 'agent.resumed'));
    expect(activities.findLast((activity) => (activity as BotActivity).channelData?.case)?.channelData?.case).toMatchObject({ id: summary.id, status: 'approved', outcome: 'partial', amount: 60 });

    const recorded = await server.app.stores.cases.get(summary.id);
    expect(recorded).toMatchObject({ status: 'approved', decision: { outcome: 'partial', amount: 6000 } });
    const audit = await server.app.stores.cases.audit(summary.id);
    expect(audit.at(-1)).toMatchObject({ type: 'status_changed', actor: { kind: 'agent', id: 'console:Wang' }, data: { from: 'escalated', to: 'approved', amount: 6000, outcome: 'partial' } });
    expect(audit.some((event) => event.type === 'note' && event.data.tookOver === 'Wang')).toBe(true);

    // Back with the assistant: off the desk, and it answers again.
    expect(await openList()).toEqual([]);
    expect((await customer.say('what is your refund policy for damaged items?')).length).toBeGreaterThan(0);
  });

  it('a case over the limit waits at the desk and can be denied, the reason told to the customer in their language', async () => {
    const customer = new Customer(server.url);
    await customer.start('zh-CN');
    const { summary } = await driveRefund(customer, 'zh-CN', '订单100118的手机坏了，开不了机', { identity: 'wangfang@example.com', evidence: 'photo', category: 'defective' });
    expect(summary.status).toBe('pending_review');
    const [waiting] = await openList();
    expect(waiting).toMatchObject({ handoff: { reason: 'needs_review', caseId: summary.id } });
    expect(waiting?.handoff?.agent).toBeUndefined();
    // Waiting for a person, the assistant still helps, and says a person is coming.
    expect((await customer.say('5')).length).toBeGreaterThan(0);
    expect((await customer.say('嗯')).at(-1)?.text).toBe(prompts.t('zh-CN', 'handoff.pending'));
    expect(waiting?.transcript.some((activity) => activity.text?.includes('wangfang@example.com'))).toBe(false);
    expect(waiting?.contact).toBe('w***@example.com · ***1003');
    // The photo is reachable for agents through a signed, expiring link only.
    const [photo] = waiting?.evidence ?? [];
    const link = new URL(photo?.url ?? 'http://invalid/');
    const fetchLink = (search: string) => fetch(`${server.url}${link.pathname}${search}`);
    const file = await fetchLink(link.search);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    const sent = Buffer.from(jpegAttachment().contentUrl.split(',')[1] ?? '', 'base64');
    expect(Buffer.from(await file.arrayBuffer()).equals(sent)).toBe(true);
    expect((await fetchLink(link.search.replace(/signature=[^&]+/, 'signature=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(403);
    expect((await fetchLink('')).status).toBe(400);
    server.clock.advance(25 * 60 * 60 * 1000);
    expect((await fetchLink(link.search)).status).toBe(403);

    expect((await act(customer.conversationId, 'Zhao', { kind: 'deny', reason: '照片显示是进水损坏，不在保修范围内' })).status).toBe(200);
    const { activities } = await customer.history();
    expect(activities.map((activity) => activity.text)).toContain(prompts.t('zh-CN', 'agent.denied', { name: 'Zhao', caseId: summary.id, reason: '照片显示是进水损坏，不在保修范围内' }));
    expect((await server.app.stores.cases.get(summary.id))?.status).toBe('denied');
    expect(await openList()).toEqual([]);
  });

  it('hands a conversation back to the assistant', async () => {
    const customer = new Customer(server.url);
    await customer.start('zh-TW');
    await customer.say('我要找真人客服');
    const [waiting] = await openList();
    expect(waiting?.handoff?.reason).toBe('customer_request');
    expect((await act(customer.conversationId, 'Lin', { kind: 'take_over' })).status).toBe(200);
    expect(await customer.say('你好？')).toEqual([]);
    expect((await act(customer.conversationId, 'Lin', { kind: 'hand_back' })).status).toBe(200);
    const { activities } = await customer.history();
    expect(activities.at(-1)?.text).toBe(prompts.t('zh-TW', 'agent.handedBack', { name: 'Lin' }));
    expect(await openList()).toEqual([]);
    expect(awaiting(await customer.say('我要退款'))).toBe('orderId');
    // Nothing is left to hand back.
    const stale = await act(customer.conversationId, 'Lin', { kind: 'hand_back' });
    expect(stale.status).toBe(409);
  });

  it('keeps the desk to staff', async () => {
    expect((await desk('', undefined, 'wrong-token')).status).toBe(401);
    expect((await fetch(`${server.url}/v1/desk/conversations`)).status).toBe(401);
    const page = await fetch(`${server.url}/agent`);
    expect(page.status).toBe(200);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('Refund desk');
    expect((await act('no-such-conversation', 'Wang', { kind: 'take_over' })).status).toBe(404);
  });
});
