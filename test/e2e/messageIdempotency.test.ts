import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { announcedCase, awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { prompts } from '../support/drive.ts';
import { STORES, startServer, type TestServer } from '../support/server.ts';

const NOW = '2026-11-20T12:00:00Z';
let server: TestServer;

/** Posts a message with an Idempotency-Key, as a widget retrying after a lost answer does. */
async function send(customer: Customer, key: string, body: Record<string, unknown>): Promise<{ status: number; activities: BotActivity[] }> {
  const response = await fetch(`${server.url}/v1/conversations/${customer.conversationId}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}`, 'idempotency-key': key },
    body: JSON.stringify({ type: 'message', ...body }),
  });
  const json = (await response.json()) as { activities?: BotActivity[] };
  return { status: response.status, activities: json.activities ?? [] };
}

/**
 * The message API's Idempotency-Key (found missing by the soak, issue 10 §6): a client that
 * retries a message whose answer it lost must not have it run twice — the confirmation "yes"
 * twice, a case opened twice.
 */
describe.each(STORES)('a retried message on the %s store', (store) => {
  beforeEach(async () => {
    server = await startServer({ now: NOW, store });
  });
  afterEach(async () => {
    await server.close();
  });

  it('runs once: the retry answers the same replies, the history holds the message once, one case is opened', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const first = await send(customer, 'msg-1', { text: 'The speaker from order 100102 is broken, it does not turn on. hanmeimei@example.com', attachments: [jpegAttachment()] });
    expect(awaiting(first.activities)).toBe('confirm');
    const confirmed = await send(customer, 'msg-2', { text: prompts.t('en', 'action.yes') });
    const caseId = announcedCase(confirmed.activities)?.id;
    expect(caseId).toMatch(/^RF-/);

    // Both messages again, as retries: nothing runs, the replies are the ones first given.
    const again = await send(customer, 'msg-2', { text: prompts.t('en', 'action.yes') });
    expect(again).toEqual(confirmed);
    expect((await send(customer, 'msg-1', { text: 'ignored: the key was run' })).activities).toEqual(first.activities);

    const { activities } = await customer.history();
    expect(activities.filter((activity) => activity.from.role === 'user').map((activity) => (activity as { id?: string }).id)).toEqual(['client:msg-1', 'client:msg-2']);
    expect(await server.app.stores.cases.byOrder('100102')).toHaveLength(1);

    // A new key is a new message.
    const next = await send(customer, 'msg-3', { text: 'what is the status of my refund?' });
    expect(next.status).toBe(200);
    expect((await customer.history()).activities.filter((activity) => activity.from.role === 'user')).toHaveLength(3);
  });

  it('refuses a malformed key (400) without running the message', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const answer = await send(customer, 'x'.repeat(201), { text: 'I want a refund' });
    expect(answer.status).toBe(400);
    expect((await customer.history()).activities.filter((activity) => activity.from.role === 'user')).toEqual([]);
  });
});

describe('a keyed message on Redis', () => {
  afterEach(async () => {
    await server.close();
  });

  it('costs no more round trips than one without a key; only a retry reads the history', async () => {
    server = await startServer({ now: NOW, store: 'redis' });
    const stores = server.app.stores as typeof server.app.stores & { roundTrips(): number };
    const customer = new Customer(server.url);
    await customer.start('en');
    await customer.say('how long do I have to return something?');
    const question = { text: 'how long do I have to return something?' };

    let before = stores.roundTrips();
    expect((await customer.say(question.text)).length).toBeGreaterThan(0);
    const unkeyed = stores.roundTrips() - before;

    before = stores.roundTrips();
    const first = await send(customer, 'same-cost', question);
    expect(stores.roundTrips() - before).toBe(unkeyed);

    before = stores.roundTrips();
    expect(await send(customer, 'same-cost', question)).toEqual(first);
    expect(stores.roundTrips() - before).toBe(unkeyed + 1);
  });
});
