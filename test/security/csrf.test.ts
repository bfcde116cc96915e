import { existsSync } from 'node:fs';
import { type Browser, chromium, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskView } from '../../src/handoff/types.ts';
import { Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../support/server.ts';

/**
 * Cross-site request forgery on the staff API's state-changing routes, through the real server:
 * a browser request from another site is refused even with a valid admin token and changes
 * nothing (checked through the staff read API); the console's own pages, and the merchant's
 * systems (no browser headers at all), keep working; bodies must be JSON.
 */
const NOW = '2026-11-20T12:00:00Z';
const CHROMIUM = '/usr/bin/chromium';

let server: TestServer;
let alice: Customer; // an approved case, for the case API
let bob: Customer; // a disputed refusal waiting at the desk
let aliceCase: string;

beforeAll(async () => {
  server = await startServer({ now: NOW });
  alice = new Customer(server.url);
  bob = new Customer(server.url);
  await Promise.all([alice.start('en'), bob.start('en')]);
  const [approved, denied] = await Promise.all([
    driveRefund(alice, 'en', { text: 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', attachments: [jpegAttachment()] }, { confirm: 'yes', category: 'defective' }),
    driveRefund(bob, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' }),
  ]);
  aliceCase = approved.summary.id;
  expect(approved.summary.status).toBe('approved');
  expect(denied.summary.status).toBe('denied');
  await bob.say(prompts.t('en', 'action.disagree'));
});
afterAll(async () => {
  await server?.close();
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** The three state-changing staff routes, each with a body that would change something. */
const writes = () =>
  [
    [`/v1/desk/conversations/${bob.conversationId}/actions`, { agent: 'Mallory', action: { kind: 'take_over' } }],
    [`/v1/cases/${aliceCase}/refunded`, { reference: 'forged' }],
    [`/v1/cases/${aliceCase}/status`, { status: 'cancelled', actor: 'Mallory' }],
  ] as const;

async function staffGet<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: admin });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

/** What the staff read API shows of both: read before and after each refused attempt. */
async function snapshot() {
  const refundCase = await staffGet<{ status: string; audit: unknown[] }>(`/v1/cases/${aliceCase}`);
  const view = await staffGet<DeskView>(`/v1/desk/conversations/${bob.conversationId}`);
  return { status: refundCase.status, audit: refundCase.audit.length, agent: view.handoff?.agent, transcript: view.transcript.length };
}

describe('the staff API refuses cross-site browser requests', () => {
  it('answers 403 cross_site_request to each, with a valid admin token, and changes nothing', async () => {
    const before = await snapshot();
    expect(before).toMatchObject({ status: 'approved', agent: undefined });
    const port = new URL(server.url).port;
    const forged: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: `http://other.localhost:${port}` },
      { origin: 'https://evil.example' },
      { origin: 'null' },
      // The same server under another name is another origin.
      { origin: `http://localhost:${port}` },
      { origin: `http://127.0.0.1:${Number(port) + 1}` },
    ];
    for (const headers of forged) {
      for (const [path, body] of writes()) {
        const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...admin, ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(response.status, `${path} with ${JSON.stringify(headers)}`).toBe(403);
        expect(await response.json()).toMatchObject({ error: { code: 'cross_site_request', message: expect.any(String) } });
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bodies that are not JSON (what a form or a simple cross-origin fetch sends) with 415, changing nothing', async () => {
    const before = await snapshot();
    const bodies: [string, string][] = [
      ['application/x-www-form-urlencoded', 'agent=Mallory&action[kind]=take_over&status=cancelled'],
      ['text/plain', JSON.stringify({ agent: 'Mallory', action: { kind: 'take_over' }, status: 'cancelled' })],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="status"\r\n\r\ncancelled\r\n--x--\r\n'],
    ];
    for (const [contentType, body] of bodies) {
      for (const [path] of writes()) {
        const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...admin, 'content-type': contentType }, body });
        expect(response.status, `${path} as ${contentType}`).toBe(415);
        expect(await response.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
      }
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('the staff API keeps working for its own pages and for servers', () => {
  it('lets the console’s buttons act in a real browser, under its CSP without a violation', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`This test needs Debian's Chromium at ${CHROMIUM}; install it with: sudo apt-get update && sudo apt-get install -y chromium`);
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'], headless: true });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const posts: Request[] = [];
      await page.exposeFunction('reportViolation', (text: string) => problems.push(`CSP violation: ${text}`));
      // Before the page's own scripts (init scripts are not subject to its CSP).
      await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));" });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        // The desk polls once before the token is entered (401); the browser asks for /favicon.ico (404).
        if (message.type() === 'error' && !/status of (401|404)/.test(message.text())) problems.push(message.text());
      });
      page.on('request', (request) => {
        if (request.method() === 'POST') posts.push(request);
      });
      await page.goto(`${server.url}/agent`);
      await page.locator('#agent').fill('Wang');
      await page.locator('#agent').press('Tab');
      await page.locator('#token').fill(ADMIN_TOKEN);
      await page.locator('#token').press('Tab');
      // Only after the page's scripts ran (a CSP refusing them would leave the list empty).
      await page.locator('.item').first().waitFor({ timeout: 10_000 }).catch(() => {
        throw new Error(`the desk listed nothing; the browser reported: ${problems.join(' | ') || 'nothing'}`);
      });
      expect(problems).toEqual([]);
      await page.locator('.item').first().click();
      await page.getByRole('button', { name: 'Take over' }).click();
      await expect.poll(async () => (await staffGet<DeskView>(`/v1/desk/conversations/${bob.conversationId}`)).handoff?.agent?.name).toBe('Wang');
      expect(await page.locator('#error').textContent()).toBe('');
      // The browser sent it with its Origin and Sec-Fetch-Site, and the guard let it through on those.
      expect(posts).toHaveLength(1);
      expect(await posts[0]!.allHeaders()).toMatchObject({ origin: server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('accepts a same-origin request with the browser headers', async () => {
    const response = await fetch(`${server.url}/v1/desk/conversations/${bob.conversationId}/actions`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json; charset=utf-8', origin: server.url, 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ agent: 'Wang', action: { kind: 'reply', text: 'Looking into it now.' } }),
    });
    expect(response.status).toBe(200);
    const view = await staffGet<DeskView>(`/v1/desk/conversations/${bob.conversationId}`);
    expect(view.transcript.map((activity) => activity.text)).toContain('Looking into it now.');
  });

  it('accepts the merchant’s system confirming a refund without any browser header or body', async () => {
    const response = await fetch(`${server.url}/v1/cases/${aliceCase}/refunded`, { method: 'POST', headers: admin });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: aliceCase, status: 'refunded' });
    expect((await staffGet<{ status: string }>(`/v1/cases/${aliceCase}`)).status).toBe('refunded');
    // With a JSON body too (idempotent: still refunded).
    const again = await fetch(`${server.url}/v1/cases/${aliceCase}/refunded`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ reference: 're_123' }) });
    expect(again.status).toBe(200);
  });
});

describe('with PUBLIC_URL set', () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startServer({ now: NOW, env: { PUBLIC_URL: 'https://refunds.example' } });
  });
  afterAll(async () => {
    await proxied?.close();
  });

  it('takes pages at PUBLIC_URL (behind a proxy) and on the request’s own host as its own, and no others', async () => {
    const confirm = (origin: string) =>
      fetch(`${proxied.url}/v1/cases/RF-NOPE/refunded`, { method: 'POST', headers: { ...admin, origin, 'content-type': 'application/json' }, body: '{}' });
    // Past the guard, the case does not exist: 404.
    expect((await confirm('https://refunds.example')).status).toBe(404);
    expect((await confirm(proxied.url)).status).toBe(404);
    expect((await confirm('http://refunds.example')).status).toBe(403);
    expect((await confirm('https://refunds.example.evil.example')).status).toBe(403);
  });
});
