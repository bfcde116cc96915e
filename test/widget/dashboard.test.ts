import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page, type Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatAmounts, formatCount, formatDuration, formatPercent, formatRating } from '../../src/insight/format.ts';
import type { Stats } from '../../src/insight/types.ts';
import { dashboardStats } from '../insight/fixtures.ts';
import { Customer } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { ADMIN_TOKEN, ROOT, startServer, type TestServer } from '../support/server.ts';

/**
 * The insight view of `/agent` in headless Chromium: the real server serves the page and its
 * chart modules (under the page's real CSP); `/v1/stats` and `/v1/stats.csv` are answered by the
 * test with fixture figures (checked against the admin token like the real API), so what the
 * page shows can be compared with exactly what it was given.
 */

const NOW = '2026-11-20T12:00:00Z';
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, '.artifacts');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const CSV = 'section,key,count,CNY,USD\r\ncases,total,30,,\r\ncategory,defective,12,4123.00,\r\n';

let browser: Browser;
let server: TestServer;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The dashboard's browser tests need Debian's Chromium at ${CHROMIUM}; install it with: sudo apt-get update && sudo apt-get install -y chromium`);
  mkdirSync(path.join(ARTIFACTS, 'dashboard'), { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  server = await startServer({ now: NOW });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

interface Seen {
  url: URL;
  authorization: string | undefined;
}

/** What the stand-in API serves for a query: the fixture, its period echoing the query; WeChat alone is smaller. */
function served(url: URL): Stats {
  const channel = url.searchParams.get('channel');
  const stats = dashboardStats(channel);
  // Whole UTC days, both ends included, as the real API takes them.
  const from = url.searchParams.get('from')!;
  const to = new Date(`${url.searchParams.get('to')!}T00:00:00.000Z`);
  to.setUTCDate(to.getUTCDate() + 1);
  stats.period.from = `${from}T00:00:00.000Z`;
  stats.period.to = to.toISOString();
  if (channel === 'wechat') {
    stats.cases.total = 9;
    stats.cases.byChannel = { wechat: { count: 9, amounts: { CNY: 200_700 } } };
    stats.cases.approvedAmounts = { CNY: 150_000 };
    stats.automation.automationRate = 0.5;
  }
  return stats;
}

async function openDesk(pathAndQuery = '/agent', options: { statsStatus?: number; realApi?: boolean } = {}): Promise<{ page: Page; errors: string[]; stats: Seen[]; csv: Seen[] }> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.clock.setFixedTime(new Date(NOW));
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // Anything the page's nonce-based CSP blocked (init scripts are not subject to it).
  await page.exposeFunction('reportViolation', (text: string) => errors.push(`CSP violation: ${text}`));
  await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));" });
  page.on('console', (message) => {
    // The desk polls before a token is entered (401s), and the browser asks for /favicon.ico (404).
    if (message.type() === 'error' && !/status of (401|404)/.test(message.text())) errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(`${server.url}/`) && !request.url().startsWith('blob:')) errors.push(`request to another host: ${request.url()}`);
  });
  const stats: Seen[] = [];
  const csv: Seen[] = [];
  if (!options.realApi) await page.route(/\/v1\/stats(\.csv)?\?/, async (route: Route) => {
    const request = route.request();
    const url = new URL(request.url());
    const authorization = await request.headerValue('authorization') ?? undefined;
    (url.pathname === '/v1/stats.csv' ? csv : stats).push({ url, authorization });
    if (authorization !== `Bearer ${ADMIN_TOKEN}`) {
      return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unauthorized', message: 'missing or wrong admin token' } }) });
    }
    if (options.statsStatus) return route.fulfill({ status: options.statsStatus, contentType: 'application/json', body: JSON.stringify({ error: { code: 'not_found', message: 'Route not found' } }) });
    if (url.pathname === '/v1/stats.csv') return route.fulfill({ status: 200, contentType: 'text/csv; charset=utf-8', headers: { 'content-disposition': 'attachment; filename="stats.csv"' }, body: CSV });
    return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(served(url)) });
  });
  await page.goto(server.url + pathAndQuery);
  return { page, errors, stats, csv };
}

async function enterToken(page: Page, token = ADMIN_TOKEN): Promise<void> {
  await page.locator('#token').fill(token);
  await page.locator('#token').press('Tab');
}

const figure = (page: Page, key: string) => page.locator(`[data-figure="${key}"]`).textContent();
const query = (seen: Seen) => Object.fromEntries(seen.url.searchParams);

describe('the insight dashboard in headless Chromium', () => {
  it('shows the served figures, charts and top products for the last 30 days', async () => {
    const { page, errors, stats } = await openDesk();
    await page.getByRole('tab', { name: 'Insight' }).click();
    await expect.poll(() => page.locator('#insight-status').textContent()).toBe('Enter the admin token to see the figures.');
    expect(stats).toHaveLength(0);
    await enterToken(page);
    await page.locator('#insight-body').waitFor();
    expect(page.url()).toBe(`${server.url}/agent/insight?from=2026-10-22&to=2026-11-20`);

    // One request: the last 30 UTC days (both included), all channels, with the admin token.
    expect(stats).toHaveLength(1);
    expect(query(stats[0]!)).toEqual({ from: '2026-10-22', to: '2026-11-20' });
    expect(stats[0]!.authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect(await page.locator('[data-days="30"]').getAttribute('aria-pressed')).toBe('true');

    // Headline figures: the fixture's, written by hand.
    expect(await page.locator('#period').textContent()).toBe('22 Oct 2026 – 20 Nov 2026 · all channels');
    expect(await figure(page, 'cases')).toBe('30');
    expect(await figure(page, 'approved')).toBe('CNY 4,987.00 · USD 45.00');
    expect(await figure(page, 'automation')).toBe('70.0%');
    expect(await figure(page, 'escalation')).toBe('12.5%');
    expect(await figure(page, 'csat')).toBe('4.3 / 5');
    expect(await figure(page, 'decision')).toBe('2 min');
    expect(await figure(page, 'handling')).toBe('18 min');
    expect(await figure(page, 'abandoned')).toBe('12');
    expect(await figure(page, 'turns')).toBe('6.4');
    expect(await page.locator('.figure', { hasText: 'Escalation rate' }).locator('small').textContent()).toBe('10 hand-overs');
    expect(await page.locator('.figure', { hasText: 'Satisfaction' }).locator('small').textContent()).toBe('20 ratings');

    // Every chart is a visible SVG of non-zero size.
    const charts = page.locator('figure.chart');
    expect(await charts.locator('figcaption').allTextContents()).toEqual([
      'Refund requests per day, by reason',
      'Why customers ask: cases by reason',
      'What the assistant decided',
      'Cases by channel',
      'Cases by language',
      'Where the cases are now',
      'Satisfaction ratings',
      'Why conversations went to a person',
      'Where customers gave up',
    ]);
    for (const svg of await charts.locator('svg').all()) {
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(40);
      expect(await svg.isVisible()).toBe(true);
    }

    // Per day: 14 days with cases, 30 in all; a 2-case segment is drawn twice as tall as a 1-case one.
    const days = page.locator('#chart-days svg');
    const totals = await days.locator('g.column').evaluateAll((columns) => columns.map((c) => Number(c.getAttribute('data-total'))));
    expect(totals).toHaveLength(14);
    expect(totals.reduce((a, b) => a + b, 0)).toBe(30);
    const heights = await days.locator('rect[data-series="defective"]').evaluateAll((rects) => rects.map((r) => [Number(r.getAttribute('data-value')), r.getBoundingClientRect().height]));
    const one = heights.find(([value]) => value === 1)![1]!;
    const two = heights.find(([value]) => value === 2)![1]!;
    expect(one).toBeGreaterThan(5);
    expect(two / one).toBeCloseTo(2, 1);

    // By reason: bars in order of cases, lengths proportional; the table gives the same figures and the money.
    const reasonBars = page.locator('#chart-category g.bar');
    expect(await reasonBars.evaluateAll((bars) => bars.map((b) => [b.getAttribute('data-key'), Number(b.getAttribute('data-value'))]))).toEqual([
      ['defective', 12],
      ['not_as_described', 8],
      ['damaged_in_transit', 6],
      ['changed_mind', 4],
    ]);
    const widths = await reasonBars.locator('rect').evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().width));
    expect(widths[1]! / widths[0]!).toBeCloseTo(8 / 12, 2);
    await page.locator('#chart-category summary').click();
    const reasonTable = await page.locator('#chart-category table tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(reasonTable[0]).toEqual(['Defective', '12', 'CNY 4,123.00']);
    expect(reasonTable[1]).toEqual(['Not as described', '8', 'CNY 960.00 · USD 45.00']);
    expect(await page.locator('#chart-outcome g.bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-value')))).toEqual(['18', '5', '3', '4']);
    expect(await page.locator('#chart-status g.bar').evaluateAll((bars) => bars.map((b) => [b.getAttribute('data-key'), b.getAttribute('data-value')]))).toEqual([
      ['refunded', '13'],
      ['approved', '9'],
      ['denied', '4'],
      ['escalated', '2'],
      ['pending_review', '2'],
    ]);
    expect(await page.locator('#chart-csat g.bar').evaluateAll((bars) => bars.map((b) => b.getAttribute('data-value')))).toEqual(['12', '4', '2', '1', '1']);
    expect(await page.locator('#chart-escalation g.bar text').first().textContent()).toBe('Policy needs review');
    expect(await page.locator('#chart-abandoned g.bar text').first().textContent()).toBe('Order number');

    // Top products: the served SKUs in order, names as text (the `<limited>` is not an element).
    const skus = await page.locator('#skus tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    expect(skus).toEqual([
      ['SPK-200', 'Bluetooth speaker', '7', 'CNY 2,070.00', 'Defective (6), Damaged in transit (1)'],
      ['SCF-9', 'Silk scarf <limited>', '5', 'CNY 1,345.00', 'Not as described (5)'],
      ['MUG-1', '—', '3', 'CNY 117.00', 'Damaged in transit (2), Changed mind (1)'],
    ]);
    expect(await page.locator('#skus limited').count()).toBe(0);

    await page.locator('#chart-category summary').click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('asks again when the period or channel changes, keeps it in the address, and exports the same query as CSV', async () => {
    const { page, errors, stats, csv } = await openDesk('/agent');
    await enterToken(page);
    // Keyboard: from the Desk tab, the right arrow opens Insight.
    await page.getByRole('tab', { name: 'Desk' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Insight' }).getAttribute('aria-selected')).toBe('true');
    await page.locator('#insight-body').waitFor();

    await page.getByRole('button', { name: '7 days' }).click();
    await expect.poll(() => stats.length).toBe(2);
    expect(query(stats[1]!)).toEqual({ from: '2026-11-14', to: '2026-11-20' });
    expect(await page.locator('[data-days="7"]').getAttribute('aria-pressed')).toBe('true');

    await page.locator('#channel').selectOption({ label: 'WeChat' });
    await expect.poll(() => stats.length).toBe(3);
    expect(query(stats[2]!)).toEqual({ from: '2026-11-14', to: '2026-11-20', channel: 'wechat' });
    await expect.poll(() => figure(page, 'cases')).toBe('9');
    expect(await page.locator('#period').textContent()).toBe('14 Nov 2026 – 20 Nov 2026 · WeChat');
    expect(await figure(page, 'automation')).toBe('50.0%');

    await page.locator('#from').fill('2026-11-01');
    await expect.poll(() => stats.length).toBe(4);
    expect(query(stats[3]!)).toEqual({ from: '2026-11-01', to: '2026-11-20', channel: 'wechat' });
    expect(page.url()).toBe(`${server.url}/agent/insight?from=2026-11-01&to=2026-11-20&channel=wechat`);
    expect(await page.locator('[aria-pressed="true"]').count()).toBe(0);

    // CSV: fetched with the token and the same query, saved from memory under a telling name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv).toHaveLength(1);
    expect(query(csv[0]!)).toEqual(query(stats[3]!));
    expect(csv[0]!.authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
    expect(download.suggestedFilename()).toBe('refund-stats_2026-11-01_2026-11-20_wechat.csv');
    expect(readFileSync((await download.path())!, 'utf8')).toBe(CSV);
    await expect.poll(() => page.locator('#insight-status').textContent()).toBe('CSV saved.');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard', 'wechat-filtered.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('opens on the period of a digest link, and says what is wrong with a bad token or a missing API', async () => {
    const { page, stats } = await openDesk('/agent/insight?from=2026-11-16&to=2026-11-22');
    expect(await page.getByRole('tab', { name: 'Insight' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#view-desk').isHidden()).toBe(true);
    await enterToken(page, 'wrong-token-0123456789');
    await expect.poll(() => page.locator('#insight-status').textContent()).toBe('missing or wrong admin token');
    expect(query(stats[0]!)).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(await page.locator('#insight-body').isHidden()).toBe(true);

    await enterToken(page);
    await page.locator('#insight-body').waitFor();
    expect(await page.locator('#period').textContent()).toBe('16 Nov 2026 – 22 Nov 2026 · all channels');

    // The first day after the last: no request, a message.
    await page.locator('#from').fill('2026-11-25');
    await expect.poll(() => page.locator('#insight-status').textContent()).toBe('The first day is after the last.');
    expect(stats).toHaveLength(2);

    // Back to the desk: its view, its address.
    await page.getByRole('tab', { name: 'Desk' }).click();
    expect(await page.locator('#view-desk').isVisible()).toBe(true);
    expect(await page.locator('#view-insight').isHidden()).toBe(true);
    expect(page.url()).toBe(`${server.url}/agent`);

    const missing = await openDesk('/agent/insight', { statsStatus: 404 });
    await enterToken(missing.page);
    await expect.poll(() => missing.page.locator('#insight-status').textContent()).toMatch(/^This server does not offer statistics yet \(\/v1\/stats\?from=.* answered 404\)\.$/);
  });

  it('shows what the real /v1/stats says about real cases, and exports the real CSV', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    await driveRefund(customer, 'en', 'The speaker from order 100102 is broken, it does not turn on. hanmeimei@example.com', { evidence: 'photo', category: 'defective' });

    const { page, errors } = await openDesk('/agent/insight', { realApi: true });
    await enterToken(page);
    await page.locator('#insight-body').waitFor();
    const api = async (file: string) => {
      const response = await fetch(`${server.url}/v1/${file}?from=2026-10-22&to=2026-11-20`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.status).toBe(200);
      return response;
    };
    const stats = (await (await api('stats')).json()) as Stats;
    expect(stats.cases.total).toBeGreaterThan(0);

    expect(await figure(page, 'cases')).toBe(formatCount(stats.cases.total));
    expect(await figure(page, 'approved')).toBe(formatAmounts(stats.cases.approvedAmounts));
    expect(await figure(page, 'automation')).toBe(formatPercent(stats.automation.automationRate));
    expect(await figure(page, 'escalation')).toBe(formatPercent(stats.automation.escalationRate));
    expect(await figure(page, 'csat')).toBe(formatRating(stats.satisfaction.average));
    expect(await figure(page, 'decision')).toBe(formatDuration(stats.automation.timeToDecision.medianSeconds));
    expect(await figure(page, 'abandoned')).toBe(formatCount(stats.conversations.abandoned));
    const reasons = await page.locator('#chart-category g.bar').evaluateAll((bars) => bars.map((b) => [b.getAttribute('data-key'), Number(b.getAttribute('data-value'))]));
    expect(reasons).toEqual(Object.entries(stats.cases.byCategory).filter(([, v]) => v.count > 0).map(([key, v]) => [key, v.count]));
    const days = await page.locator('#chart-days g.column').evaluateAll((columns) => columns.map((c) => [c.getAttribute('data-key'), Number(c.getAttribute('data-total'))]));
    expect(days).toEqual(stats.cases.byDay.map((d) => [d.day, d.total]));
    expect(await page.locator('#skus tbody tr th').allTextContents()).toEqual(stats.topSkus.map((sku) => sku.sku));

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('refund-stats_2026-10-22_2026-11-20.csv');
    // Byte for byte (the BOM that tells spreadsheets it is UTF-8 included).
    const saved = readFileSync((await download.path())!);
    expect(saved.equals(Buffer.from(await (await api('stats.csv')).arrayBuffer()))).toBe(true);
    expect(saved.toString('utf8')).toContain('defective');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard', 'real-api.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('serves the page under /agent/insight with the desk’s protection, and only the chart modules', async () => {
    const page = await fetch(`${server.url}/agent/insight?from=2026-11-16&to=2026-11-22`);
    expect(page.status).toBe(200);
    // The desk's nonce-based policy (test/security/headers.test.ts checks it in full).
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toMatch(/script-src 'self' 'nonce-[0-9a-f]{32}'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const withoutNonces = (html: string) => html.replace(/ nonce="[0-9a-f]{32}"/g, '');
    expect(withoutNonces(await page.text())).toBe(withoutNonces(await (await fetch(`${server.url}/agent`)).text()));
    const charts = await fetch(`${server.url}/agent/insight/charts.js`);
    expect(charts.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await charts.text()).toContain('export function barChart(');
    for (const name of ['week.js', 'digest.js', '..%2Fconfig.js', 'charts.ts']) expect((await fetch(`${server.url}/agent/insight/${name}`)).status).toBe(404);
  });
});
