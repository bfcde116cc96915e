import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { EvidenceLinks } from '../../src/evidence/signedUrls.ts';
import { Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../support/server.ts';

/**
 * The security headers every response carries, through the real server: the console's CSP runs
 * its inline code by per-response nonces only, the demo page may be framed by the widget's
 * origins only, the widget stays loadable from merchants' pages, and downloads keep their own
 * sandbox policy.
 */
const NOW = '2026-11-20T12:00:00Z';
const SHOPS = ['https://shop.example', 'http://localhost:5173'];

let server: TestServer;
let plain: TestServer;
let alice: Customer;
let evidenceId: string;

beforeAll(async () => {
  [server, plain] = await Promise.all([startServer({ now: NOW, env: { WIDGET_ORIGINS: SHOPS.join(', ') } }), startServer({ now: NOW })]);
  alice = new Customer(server.url);
  await alice.start('en');
  const run = await driveRefund(alice, 'en', { text: 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', attachments: [jpegAttachment()] }, { confirm: 'yes', category: 'defective' });
  expect(run.summary.status).toBe('approved');
  const history = await alice.history();
  evidenceId = history.activities.flatMap((activity) => activity.attachments ?? []).find((attachment) => attachment.evidenceId)?.evidenceId ?? '';
  expect(evidenceId).toMatch(/^[0-9a-f]{64}$/);
});
afterAll(async () => {
  await Promise.all([server?.close(), plain?.close()]);
});

/** The CSP as directive name → its values. */
function csp(response: Response): Map<string, string[]> {
  const header = response.headers.get('content-security-policy');
  expect(header, `CSP of ${response.url}`).toBeTruthy();
  const directives = new Map<string, string[]>();
  for (const part of header!.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

/** The headers every response has, whatever it is. */
function expectBaseline(response: Response): void {
  const what = `${response.status} ${response.url}`;
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(response.headers.get('strict-transport-security'), what).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
  expect(response.headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(response.headers.get('x-powered-by'), what).toBeNull();
  expect(response.headers.get('x-permitted-cross-domain-policies'), what).toBe('none');
}

/** Not a page: nothing may load, nothing may frame it. */
function expectLockedDown(response: Response): void {
  expectBaseline(response);
  const policy = csp(response);
  expect(policy.get('default-src')).toEqual(["'none'"]);
  expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('the agent console page', () => {
  it.each(['/agent', '/agent/insight'])('%s runs its inline code by a fresh nonce, never unsafe-inline, and cannot be framed', async (path) => {
    const first = await fetch(`${server.url}${path}`);
    expect(first.status).toBe(200);
    expectBaseline(first);
    const policy = csp(first);
    const scriptSrc = policy.get('script-src') ?? [];
    const styleSrc = policy.get('style-src') ?? [];
    expect(scriptSrc).toHaveLength(2);
    expect(scriptSrc[0]).toBe("'self'");
    expect(scriptSrc[1]).toMatch(/^'nonce-[0-9a-f]{32}'$/);
    expect(styleSrc).toEqual([expect.stringMatching(/^'nonce-[0-9a-f]{32}'$/)]);
    expect(first.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    expect(first.headers.get('cache-control')).toBe('no-store');

    // Every script and style tag of the page carries this response's nonce, and only it.
    const html = await first.text();
    const scriptNonce = scriptSrc[1]!.slice(7, -1);
    const styleNonce = styleSrc[0]!.slice(7, -1);
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]);
    const styles = [...html.matchAll(/<style\b([^>]*)>/g)].map((match) => match[1]);
    expect(scripts).toEqual([` nonce="${scriptNonce}"`, ` nonce="${scriptNonce}" type="module"`]);
    expect(styles).toEqual([` nonce="${styleNonce}"`]);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i); // no inline event handler attributes either

    // A new response, new nonces.
    const second = await fetch(`${server.url}${path}`);
    const again = csp(second);
    expect(again.get('script-src')![1]).not.toBe(scriptSrc[1]);
    expect(again.get('style-src')![0]).not.toBe(styleSrc[0]);
    expect(await second.text()).toContain(`nonce="${again.get('script-src')![1]!.slice(7, -1)}"`);
  });

  it('serves its chart modules as scripts from this host', async () => {
    const response = await fetch(`${server.url}/agent/insight/charts.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expectLockedDown(response);
  });
});

describe('the demo page, which merchants may embed', () => {
  it('may be framed by this host and the WIDGET_ORIGINS only', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expectBaseline(response);
    const policy = csp(response);
    expect(policy.get('frame-ancestors')).toEqual(["'self'", ...SHOPS]);
    // X-Frame-Options cannot name other origins: it would contradict the list.
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
  });

  it('may be framed by this host only without WIDGET_ORIGINS', async () => {
    const response = await fetch(`${plain.url}/`);
    expect(csp(response).get('frame-ancestors')).toEqual(["'self'"]);
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('the widget script', () => {
  it('stays loadable from merchants’ pages', async () => {
    for (const encoding of ['gzip', 'identity']) {
      const response = await fetch(`${server.url}/widget.js`, { headers: { 'accept-encoding': encoding } });
      expect(response.status).toBe(200);
      expectBaseline(response);
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    }
  });
});

describe('API responses', () => {
  it('carry the locked-down headers on success and on every kind of error', async () => {
    const responses = [
      await fetch(`${server.url}/v1/desk/conversations`, { headers: admin }),
      await fetch(`${server.url}/v1/desk/conversations`),
      await fetch(`${server.url}/no/such/route`),
      await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"locale":' }),
      await fetch(`${server.url}/v1/cases/nope`, { headers: admin }),
      await fetch(`${server.url}/healthz`),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 401, 404, 400, 404, expect.any(Number)]);
    for (const response of responses) {
      expectLockedDown(response);
      if (response.status >= 400) expect(await response.json()).toMatchObject({ error: { code: expect.any(String) } });
    }
  });

  it('still answer CORS preflights from the widget’s origins on the conversation API, and only there', async () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${server.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const open = await preflight(`/v1/conversations/${alice.conversationId}/activities`, SHOPS[0]!);
    expect(open.status).toBe(204);
    expect(open.headers.get('access-control-allow-origin')).toBe(SHOPS[0]);
    expectBaseline(open);
    const staff = await preflight('/v1/desk/conversations/x/actions', SHOPS[0]!);
    expect(staff.headers.get('access-control-allow-origin')).toBeNull();
    const stranger = await preflight(`/v1/conversations/${alice.conversationId}/activities`, 'https://evil.example');
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();

    const read = await fetch(`${server.url}/v1/conversations/${alice.conversationId}/activities`, { headers: { origin: SHOPS[1]!, authorization: `Bearer ${alice.token}` } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBe(SHOPS[1]);
    expectLockedDown(read);
  });

  it('keep the live stream an event stream', async () => {
    const abort = new AbortController();
    const stream = await fetch(`${server.url}/v1/conversations/${alice.conversationId}/stream`, { headers: { authorization: `Bearer ${alice.token}`, origin: SHOPS[0]! }, signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('access-control-allow-origin')).toBe(SHOPS[0]);
    expectBaseline(stream);
    const reader = stream.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('retry: 3000');
    abort.abort();
    await reader.cancel().catch(() => undefined);
  });
});

describe('downloads', () => {
  it('keep their own sandbox policy', async () => {
    const file = await fetch(`${server.url}/v1/conversations/${alice.conversationId}/files/${evidenceId}`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(file.status).toBe(200);
    expectBaseline(file);
    expect(file.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(file.headers.get('content-disposition')).toMatch(/^attachment/);

    // The server derives the link key from ADMIN_TOKEN when EVIDENCE_LINK_SECRET is unset (src/app.ts).
    const links = new EvidenceLinks({ secret: createHmac('sha256', ADMIN_TOKEN).update('refundbot evidence links').digest(), baseUrl: server.url, clock: server.clock });
    const proof = await fetch(links.url(evidenceId));
    expect(proof.status).toBe(200);
    expectBaseline(proof);
    expect(proof.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(proof.headers.get('content-type')).toBe('image/jpeg');
    // The signed link is the credential: Web Chat (another site) shows an agent's image from it.
    expect(proof.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});

describe('WIDGET_ORIGINS', () => {
  it('takes bare origins only, so nothing else reaches the CORS and frame-ancestors headers', () => {
    expect(loadConfig({ WIDGET_ORIGINS: 'https://shop.example, http://localhost:5173,http://[::1]:8080' }).WIDGET_ORIGINS).toEqual(['https://shop.example', 'http://localhost:5173', 'http://[::1]:8080']);
    const refused = [
      "https://shop.example; script-src 'unsafe-inline'",
      'https://shop.example;script-src',
      'https://shop.example\'',
      'https://shop.example\r\nSet-Cookie: a=b',
      'https://shop.example https://evil.example',
      "'self'",
      '*',
      'https://*.shop.example',
      'https://shop.example/',
      'https://shop.example/path',
      'javascript://shop.example',
      'https://user@shop.example',
      'https://shop.example:99999',
    ];
    for (const value of refused) expect(() => loadConfig({ WIDGET_ORIGINS: value }), JSON.stringify(value)).toThrow(/WIDGET_ORIGINS: .*is not an origin like https:\/\/shop\.example/);
    // As browsers write it, or it would never match their Origin header.
    expect(() => loadConfig({ WIDGET_ORIGINS: 'https://Shop.example:443' })).toThrow(/WIDGET_ORIGINS: .*must be written as browsers send it: https:\/\/shop\.example/);
  });
});
