import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/domain/clock.ts';
import { HttpRefundWebhook } from '../../src/refunds/webhook/client.ts';
import type { RefundWebhookPayload } from '../../src/refunds/webhook/payload.ts';
import { verifySignature } from '../../src/refunds/webhook/signature.ts';
import { freePort } from '../support/process.ts';

const SECRET = 'whsec_0123456789abcdef0123456789abcdef';
const clock = new FixedClock('2026-11-20T12:00:00Z');
const payload = { event: 'refund.approved', caseId: 'RF-TEST22', amount: '309.00', amountMinor: 30900, currency: 'CNY' } as RefundWebhookPayload;

describe('the refund webhook over HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A merchant endpoint answering with `respond`; returns its URL and what it received. */
  async function endpoint(respond: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
    const received: { headers: IncomingMessage['headers']; body: string; method?: string }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body, ...(req.method ? { method: req.method } : {}) });
        respond(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
  }
  const webhook = (url: string, timeoutMs = 2_000) => new HttpRefundWebhook({ url, secret: SECRET, timeoutMs, clock });
  const json = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  it('POSTs the payload as JSON with the idempotency key and a signature over the exact body', async () => {
    const { url, received } = await endpoint(json(200, { status: 'accepted' }));
    expect(await webhook(url).send(payload, 'RF-TEST22')).toEqual({ ok: true, status: 200, refunded: false });
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'RF-TEST22' });
    expect(JSON.parse(request?.body ?? '')).toEqual(payload);
    const signed = String(request?.headers['refundbot-signature']);
    expect(signed.startsWith(`t=${Math.floor(clock.now().getTime() / 1000)},v1=`)).toBe(true);
    expect(verifySignature(signed, request?.body ?? '', SECRET, clock.now().getTime() / 1000)).toEqual({ ok: true });
  });

  it('reads {"status":"refunded"} (with its reference) as paid; any other 2xx answer as received', async () => {
    const answers: [number, unknown, object][] = [
      [200, { status: 'refunded', reference: 'PAY-1' }, { refunded: true, reference: 'PAY-1' }],
      [201, { status: 'refunded' }, { refunded: true }],
      [200, { status: 'refunded', reference: 'x'.repeat(201) }, { refunded: true }],
      [202, { status: 'accepted' }, { refunded: false }],
      [204, '', { refunded: false }],
      [200, 'OK', { refunded: false }],
      [200, { status: 'REFUNDED' }, { refunded: false }],
    ];
    for (const [status, body, expected] of answers) {
      const { url } = await endpoint(json(status, body));
      const result = await webhook(url).send(payload, 'RF-TEST22');
      expect(result, JSON.stringify(body)).toEqual({ ok: true, status, ...expected });
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
    server = undefined;
  });

  it('fails on a non-2xx answer, naming its status; a redirect is not followed', async () => {
    const { url } = await endpoint(json(500, { error: 'boom' }));
    expect(await webhook(url).send(payload, 'RF-TEST22')).toEqual({ ok: false, status: 500, error: 'http_500' });
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    const moved = await endpoint((_req, res) => res.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' }).end());
    expect(await webhook(moved.url).send(payload, 'RF-TEST22')).toEqual({ ok: false, status: 307, error: 'http_307' });
    expect(moved.received).toHaveLength(1);
  });

  it('gives up on an endpoint that does not answer within the timeout', async () => {
    const { url } = await endpoint(() => undefined);
    const startedAt = performance.now();
    expect(await webhook(url, 200).send(payload, 'RF-TEST22')).toEqual({ ok: false, error: 'timeout' });
    expect(performance.now() - startedAt).toBeLessThan(1_000);
  });

  it('names the network error of an endpoint that cannot be reached', async () => {
    const port = await freePort();
    const result = await webhook(`http://127.0.0.1:${port}/hook`).send(payload, 'RF-TEST22');
    expect(result).toEqual({ ok: false, error: 'ECONNREFUSED' });
  });

  it('stops at once when its caller stops', async () => {
    const { url } = await endpoint(() => undefined);
    const stop = new AbortController();
    const sending = webhook(url, 5_000).send(payload, 'RF-TEST22', stop.signal);
    setTimeout(() => stop.abort(), 50);
    expect(await sending).toEqual({ ok: false, error: 'stopped' });
  });
});
