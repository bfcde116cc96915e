import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signCustomerToken } from '../../src/channels/api/customerToken.ts';
import { announcedCase, awaiting } from '../support/client.ts';
import { prompts } from '../support/drive.ts';
import { startServer, type TestServer } from '../support/server.ts';

const NOW = '2026-11-20T12:00:00Z';
const SECRET = 'shop-customer-token-secret-0123456789';
const SHOP = 'https://maple-and-pine.example';
const exp = (offsetSeconds: number) => Math.floor(Date.parse(NOW) / 1000) + offsetSeconds;

let server: TestServer;
beforeEach(async () => {
  server = await startServer({ now: NOW, env: { CUSTOMER_TOKEN_SECRET: SECRET, WIDGET_ORIGINS: SHOP } });
});
afterEach(async () => {
  await server.close();
});

async function start(body: unknown): Promise<Response> {
  return fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function say(conversation: { conversationId: string; token: string }, text: string) {
  const response = await fetch(`${server.url}/v1/conversations/${conversation.conversationId}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${conversation.token}` },
    body: JSON.stringify({ type: 'message', text }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { activities: Parameters<typeof awaiting>[0] }).activities;
}

describe('a logged-in customer vouched for by the shop', () => {
  it('skips the ownership question for their own orders, not for anyone else’s', async () => {
    const token = signCustomerToken({ sub: 'c-1026', exp: exp(3600) }, SECRET);
    const response = await start({ locale: 'en', customerToken: token });
    expect(response.status).toBe(201);
    const conversation = (await response.json()) as { conversationId: string; token: string };
    // linyijun (c-1026) owns 100126: straight to the reason.
    expect(awaiting(await say(conversation, 'I want a refund for order 100126'))).toBe('reason');
    const decided = await say(conversation, 'I changed my mind, I do not need the scarf');
    const confirmed = awaiting(decided) === 'category' ? await say(conversation, prompts.t('en', 'category.changed_mind')) : decided;
    expect(awaiting(confirmed)).toBe('confirm');
    expect(announcedCase(await say(conversation, 'yes'))).toMatchObject({ orderId: '100126', status: 'approved' });
    // Someone else's order still needs proof.
    expect(awaiting(await say(conversation, 'I want a refund for order 100101'))).toBe('identity');
  });

  it.each([
    ['a forged signature', () => `${signCustomerToken({ sub: 'c-1026', exp: exp(3600) }, SECRET).split('.')[0]}.AAAA`],
    ['another secret', () => signCustomerToken({ sub: 'c-1026', exp: exp(3600) }, 'another-secret-another-secret-0000')],
    ['an expired token', () => signCustomerToken({ sub: 'c-1026', exp: exp(-1) }, SECRET)],
    ['garbage', () => 'not-a-token'],
  ])('refuses %s with 401', async (_name, token) => {
    const response = await start({ customerToken: token() });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: expect.stringMatching(/customer_token/) } });
  });
});

describe('the widget on the shop’s own site', () => {
  it('opens the conversation API to the configured origins only, and never the staff APIs', async () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${server.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const allowed = await preflight('/v1/conversations', SHOP);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('/v1/conversations/abc/activities', SHOP)).headers.get('access-control-allow-origin')).toBe(SHOP);
    expect((await preflight('/v1/conversations', 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('/v1/cases', SHOP)).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('/v1/desk/conversations', SHOP)).headers.get('access-control-allow-origin')).toBeNull();
    const created = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { origin: SHOP, 'content-type': 'application/json' }, body: '{}' });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(SHOP);
  });
});
