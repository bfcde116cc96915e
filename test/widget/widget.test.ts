import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/domain/locale.ts';
import { prompts } from '../support/drive.ts';
import { PNG_SIGNATURE, pngChunk } from '../support/png.ts';
import { ADMIN_TOKEN, ROOT, startServer, type TestServer } from '../support/server.ts';

const NOW = '2026-11-20T12:00:00Z';
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, '.artifacts', 'widget');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** A small real PNG (a red-to-blue gradient), so the preview shows an actual picture. */
function pngPhoto(size = 48): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(Math.round((255 * x) / size), 60, Math.round((255 * y) / size));
  }
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.from(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The widget's browser tests need Debian's Chromium at ${CHROMIUM}; install it with: sudo apt-get update && sudo apt-get install -y chromium`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await server?.close();
});

async function openShop(locale = 'en-US'): Promise<{ page: Page; context: BrowserContext; errors: string[] }> {
  server = await startServer({ now: NOW });
  const context = await browser.newContext({ locale, viewport: { width: 1100, height: 760 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('404')) errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(server.url + '/') && !request.url().startsWith('blob:') && !request.url().startsWith('data:')) errors.push(`request to another host: ${request.url()}`);
  });
  page.on('dialog', (dialog) => {
    errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(server.url + '/');
  await page.locator('#refundbot-widget .launcher').waitFor();
  return { page, context, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const w = (page: Page, selector: string) => page.locator(`#refundbot-widget ${selector}`);
/** Bubble texts of the widget's conversation log. */
const bubbles = (page: Page) => w(page, '.log .bubble').allTextContents();

async function say(page: Page, text: string): Promise<void> {
  await w(page, 'textarea').fill(text);
  await w(page, 'textarea').press('Enter');
  await waitIdle(page);
}

async function waitIdle(page: Page): Promise<void> {
  await expect.poll(async () => (await w(page, '.typing').isHidden()) && (await w(page, '.row.pending').count()) === 0).toBe(true).catch(async (error: Error) => {
    await shot(page, 'failure');
    const state = await page.evaluate<string | undefined>("document.getElementById('refundbot-widget')?.shadowRoot?.querySelector('.panel')?.textContent");
    throw new Error(`${error.message}; widget: ${state}`);
  });
}

async function attachPhoto(page: Page, name: string): Promise<void> {
  await expect(w(page, '.attach').isVisible()).resolves.toBe(true);
  await w(page, 'input[type=file]').setInputFiles({ name, mimeType: 'image/png', buffer: pngPhoto() });
  await w(page, '.chip img').waitFor();
}

interface RefundScript {
  locale: Locale;
  browserLocale: string;
  opener: string;
  identity?: string;
  amount: string;
}

const refunds: RefundScript[] = [
  { locale: 'en', browserLocale: 'en-US', opener: 'I want a refund for order 100102, the speaker stopped working. My email is hanmeimei@example.com', amount: '207' },
  { locale: 'zh-CN', browserLocale: 'zh-CN', opener: '订单100102的音箱坏了，我要退款', identity: 'hanmeimei@example.com', amount: '207' },
  { locale: 'zh-TW', browserLocale: 'zh-TW', opener: '訂單100126的絲巾跟描述不符，顏色完全不一樣，我要退款', identity: 'linyijun@example.com', amount: '269' },
];

describe('the website widget in headless Chromium', () => {
  it.each(refunds)('$locale: a whole refund with a photo, then the history after a reload and in another tab', async ({ locale, browserLocale, opener, identity, amount }) => {
    const { page, context, errors } = await openShop(browserLocale);
    await shot(page, `${locale}-1-shop`);
    await w(page, '.launcher').click();
    await expect.poll(() => bubbles(page)).toEqual([prompts.t(locale, 'greeting')]);
    // The widget's own strings follow the browser language.
    const placeholders = { en: 'Type a message…', 'zh-CN': '输入消息…', 'zh-TW': '輸入訊息…' };
    expect(await w(page, 'textarea').getAttribute('placeholder')).toBe(placeholders[locale]);

    await say(page, opener);
    if (identity) await say(page, identity);
    await attachPhoto(page, 'broken.png');
    await shot(page, `${locale}-2-photo-preview`);
    await w(page, '.send').click();
    await waitIdle(page);
    await w(page, '.actions button', ).filter({ hasText: prompts.t(locale, 'action.yes') }).click();
    await waitIdle(page);
    const card = w(page, '.card');
    await card.waitFor();
    expect(await card.locator('.amount').textContent()).toContain(amount);
    expect(await card.locator('.clauses').textContent()).toMatch(/R-2\.\d/);
    expect(await card.locator('.status').textContent()).toBe({ en: 'Approved', 'zh-CN': '已批准', 'zh-TW': '已核准' }[locale]);
    // CSAT as stars.
    const stars = w(page, '.actions.stars button[aria-label]');
    await expect.poll(() => stars.count()).toBe(5);
    await shot(page, `${locale}-3-decision`);
    await stars.nth(4).click();
    await waitIdle(page);
    await expect.poll(async () => (await bubbles(page)).at(-1)).toBe(prompts.t(locale, 'csat.thanks'));
    expect((await bubbles(page)).some((text) => text.includes('broken.png'))).toBe(true);
    const before = await bubbles(page);

    // Reload: same conversation, history from the server.
    await page.reload();
    await expect.poll(() => bubbles(page)).toEqual(before);
    await shot(page, `${locale}-4-after-reload`);
    // Another tab of the same site.
    const other = await context.newPage();
    await other.goto(server.url + '/');
    await w(other, '.launcher').click();
    await expect.poll(() => bubbles(other)).toEqual(before);
    expect(errors).toEqual([]);
  });

  it('shows an agent reply pushed from the server, with the agent name, without polling', async () => {
    const { page, errors } = await openShop();
    await w(page, '.launcher').click();
    await say(page, 'I want to talk to a person about order 100102');
    const conversationId = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((name) => name.startsWith('refundbot:conversation:'));
      return (JSON.parse(localStorage.getItem(key ?? '') ?? '{}') as { id: string }).id;
    });
    const act = (action: unknown) =>
      fetch(`${server.url}/v1/desk/conversations/${conversationId}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent: 'Wang', action }),
      });
    expect((await act({ kind: 'take_over' })).status).toBe(200);
    expect((await act({ kind: 'reply', text: 'Hi, this is Wang. Let me check https://example.com/help for you.' })).status).toBe(200);
    const agentRow = w(page, '.row.agent').filter({ hasText: 'Hi, this is Wang' });
    await agentRow.waitFor();
    expect(await agentRow.locator('.who').textContent()).toBe('Wang (support)');
    const link = agentRow.locator('a');
    expect(await link.getAttribute('href')).toBe('https://example.com/help');
    expect(await link.getAttribute('rel')).toContain('noopener');
    await shot(page, 'agent-reply');
    expect(errors).toEqual([]);
  });

  it('resends a message whose answer was lost with the same Idempotency-Key, and it counts once', async () => {
    const { page, errors } = await openShop();
    await w(page, '.launcher').click();
    const keys: string[] = [];
    let failures = 0;
    await page.route('**/v1/conversations/*/activities', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key'] ?? '');
      // The first try reaches the server but its answer is lost; the second gets a 503.
      if (failures === 0) {
        failures++;
        await route.fetch();
        return route.abort('connectionreset');
      }
      if (failures === 1) {
        failures++;
        return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"unavailable","message":"closing"}}' });
      }
      return route.continue();
    });
    // Chromium logs the aborted and 503 requests as console errors; they are expected here.
    errors.length = 0;
    await w(page, 'textarea').fill('I want a refund for order 100102');
    await w(page, 'textarea').press('Enter');
    // Two backoffs (up to 0.75 s and 1.5 s) before the third try.
    await expect.poll(() => keys.length, { timeout: 10_000 }).toBe(3);
    await waitIdle(page);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[\x21-\x7e]{8,200}$/);
    const conversationId = await page.evaluate(() => {
      const key = Object.keys(localStorage).find((name) => name.startsWith('refundbot:conversation:'));
      return (JSON.parse(localStorage.getItem(key ?? '') ?? '{}') as { id: string }).id;
    });
    // The server took the message once: one customer line in its history.
    const view = await (await fetch(`${server.url}/v1/desk/conversations/${conversationId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    expect(view.split('I want a refund for order 100102')).toHaveLength(2);
    expect((await bubbles(page)).filter((text) => text === 'I want a refund for order 100102')).toHaveLength(1);
    expect(await w(page, '.note').isHidden()).toBe(true);
  });

  it('on a long rate limit, says how long to wait and gives the text back', async () => {
    const { page } = await openShop('zh-CN');
    await w(page, '.launcher').click();
    await page.route('**/v1/conversations/*/activities', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 429, headers: { 'retry-after': '42', 'content-type': 'application/json' }, body: '{"error":{"code":"rate_limited","message":"slow down"}}' })
        : route.continue(),
    );
    await say(page, '我要退款');
    await expect.poll(() => w(page, '.note').textContent()).toBe('消息太频繁了，请等 42 秒后再发送。');
    expect(await w(page, 'textarea').inputValue()).toBe('我要退款');
    expect(await bubbles(page)).not.toContain('我要退款');
  });

  it('renders an HTML payload as text, never as markup', async () => {
    const { page, errors } = await openShop();
    await w(page, '.launcher').click();
    const payload = '<img src=x onerror=alert(1)> javascript:alert(2) <a href="javascript:alert(3)">x</a>';
    await say(page, payload);
    await expect.poll(() => bubbles(page)).toContain(payload);
    expect(await w(page, '.log img').count()).toBe(0);
    expect(await w(page, '.log a').count()).toBe(0);
    await shot(page, 'xss-as-text');
    expect(errors).toEqual([]);
  });

  it('works with the keyboard alone, with visible focus and labels', async () => {
    const { page, errors } = await openShop();
    // Shift+Tab from the top of the page reaches the last focusable element: the launcher.
    await page.keyboard.press('Shift+Tab');
    // The focused element inside the widget: its label, or its tag.
    const active = () =>
      page.evaluate<string | null>(`(() => {
        const inner = document.getElementById('refundbot-widget')?.shadowRoot?.activeElement;
        return inner ? inner.getAttribute('aria-label') ?? inner.tagName : null;
      })()`);
    expect(await active()).toBe('Open refund chat');
    const outline = await page.evaluate<string>("getComputedStyle(document.getElementById('refundbot-widget').shadowRoot.querySelector('.launcher')).outlineStyle");
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    expect(await active()).toBe('Message');
    await w(page, '.log .bubble').first().waitFor();
    await page.keyboard.type('I want a refund');
    await page.keyboard.press('Enter');
    await waitIdle(page);
    expect((await bubbles(page)).at(-2)).toBe('I want a refund');
    // Reach the suggested replies (or the last control before the input) backwards with Tab.
    await page.keyboard.type('100102');
    await page.keyboard.press('Enter');
    await waitIdle(page);
    await page.keyboard.type('hanmeimei@example.com');
    await page.keyboard.press('Enter');
    await waitIdle(page);
    await page.keyboard.press('Shift+Tab');
    const focused = await active();
    expect(focused).not.toBeNull();
    await shot(page, 'keyboard-focus');
    await page.keyboard.press('Escape');
    expect(await active()).toBe('Open refund chat');
    expect(await w(page, '.panel').isHidden()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('is served small, cached and as JavaScript', async () => {
    server = await startServer({ now: NOW });
    const response = await fetch(`${server.url}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const etag = response.headers.get('etag');
    const body = await response.text();
    const gzipped = gzipSync(body, { level: 9 }).length;
    console.info(`widget.js: ${Buffer.byteLength(body)} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(60 * 1024);
    expect(body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    // No other host: the only absolute URLs are the SVG namespace (never fetched) and the embed example in a comment.
    expect(body.match(/https?:\/\/[^\s'"]+/g)?.filter((url) => url !== 'http://www.w3.org/2000/svg' && url !== 'https://HOST/widget.js') ?? []).toEqual([]);
    const again = await fetch(`${server.url}/widget.js`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });
});
