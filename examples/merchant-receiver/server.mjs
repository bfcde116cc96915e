#!/usr/bin/env node
// Reference receiver of the refund assistant's refund webhook: what a shop's endpoint must do,
// in one dependency-free file (Node.js 20+). Run it with `node server.mjs` (settings below), or
// import `createReceiver` into your own server. See README.md beside this file.
//
//   1. verify the signature and its timestamp (5 minutes' tolerance, constant-time compare);
//   2. deduplicate on the Idempotency-Key (one per refund case: a retry after a lost answer
//      must not refund twice);
//   3. pay the refund back (here: simulated; replace `payOut` with your payment provider's call);
//   4. answer 2xx quickly, then confirm to the assistant that the money went back: either by
//      calling POST {ASSISTANT_URL}/v1/cases/{caseId}/refunded (CONFIRM=callback), or by answering
//      {"status":"refunded"} (CONFIRM=answer) when the refund is paid synchronously.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/** The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const SIGNATURE_HEADER = 'refundbot-signature';
/** How far the signature's timestamp may be from this server's clock. */
export const TOLERANCE_SECONDS = 300;
const MAX_BODY_BYTES = 1024 * 1024;
const CONFIRM_MODES = ['callback', 'answer', 'none'];

/**
 * Checks a signature header against the raw body (the exact bytes received: never a re-encoded
 * JSON). Returns { ok: true } or { ok: false, problem: 'missing' | 'malformed' | 'stale' | 'mismatch' }.
 */
export function verifySignature(header, rawBody, secret, nowSeconds, toleranceSeconds = TOLERANCE_SECONDS) {
  if (!header) return { ok: false, problem: 'missing' };
  let timestamp;
  const candidates = [];
  for (const part of String(header).split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value ?? '')) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, problem: 'malformed' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, problem: 'stale' };
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  // Both sides are 32 bytes, as timingSafeEqual needs; the compare takes the same time whatever differs.
  const matches = candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matches ? { ok: true } : { ok: false, problem: 'mismatch' };
}

/** Simulated payment provider: a real shop refunds `refund.amount` `refund.currency` by `refund.paymentMethod` here. */
async function simulatedPayOut(_refund) {
  return { reference: `PAY-${randomBytes(6).toString('hex').toUpperCase()}` };
}

/**
 * The receiver as a request handler: `createServer(receiver.handle)`.
 * Options: secret (REFUND_WEBHOOK_SECRET), confirm ('callback' | 'answer' | 'none'), assistantUrl
 * and adminToken (for 'callback'), payOut(refund) → { reference }, now() → ms, log(object),
 * toleranceSeconds.
 *
 * Deliveries are remembered in memory, by Idempotency-Key: enough for a demo. A shop stores the key
 * with its refund, in the same database transaction, so that it holds across restarts.
 */
export function createReceiver(options) {
  const {
    secret,
    confirm = 'callback',
    assistantUrl,
    adminToken,
    payOut = simulatedPayOut,
    now = () => Date.now(),
    log = (line) => console.log(JSON.stringify(line)),
    toleranceSeconds = TOLERANCE_SECONDS,
    callbackRetryMs = 1000,
  } = options ?? {};
  if (typeof secret !== 'string' || secret.length < 32) throw new Error('createReceiver: secret must be the REFUND_WEBHOOK_SECRET (at least 32 characters)');
  if (!CONFIRM_MODES.includes(confirm)) throw new Error(`createReceiver: confirm must be one of ${CONFIRM_MODES.join(', ')}`);
  if (confirm === 'callback' && (!assistantUrl || !adminToken)) throw new Error('createReceiver: confirm=callback needs assistantUrl and adminToken');

  /** Idempotency-Key → { caseId, payload, outcome: Promise<{ reference }> }. */
  const deliveries = new Map();
  const pending = new Set();

  const track = (promise) => {
    pending.add(promise);
    promise.finally(() => pending.delete(promise));
  };

  async function confirmRefunded(caseId, reference) {
    const url = `${assistantUrl.replace(/\/+$/, '')}/v1/cases/${encodeURIComponent(caseId)}/refunded`;
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reference, refundedAt: new Date(now()).toISOString() }),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.ok) return log({ msg: 'refund confirmed to the assistant', caseId, reference });
        // 4xx other than 429 will not get better by retrying (the case was cancelled, a bad token).
        if (response.status < 500 && response.status !== 429) return log({ msg: 'the assistant refused the confirmation', caseId, status: response.status });
      } catch (error) {
        log({ msg: 'could not reach the assistant', caseId, attempt, error: error?.cause?.code ?? error?.name });
      }
      await new Promise((resolve) => setTimeout(resolve, callbackRetryMs * 2 ** (attempt - 1)));
    }
    log({ msg: 'gave up confirming the refund; confirm it by hand', caseId });
  }

  function answer(res, status, body) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async function handle(req, res) {
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return answer(res, 413, { error: 'body too large' });
      chunks.push(chunk);
    }
    const rawBody = Buffer.concat(chunks);

    const verdict = verifySignature(req.headers[SIGNATURE_HEADER], rawBody, secret, Math.floor(now() / 1000), toleranceSeconds);
    if (!verdict.ok) {
      log({ msg: 'refused an unsigned or badly signed request', problem: verdict.problem });
      return answer(res, 401, { error: `signature ${verdict.problem}` });
    }
    const key = req.headers['idempotency-key'];
    let refund;
    try {
      refund = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return answer(res, 400, { error: 'body is not JSON' });
    }
    if (!key || typeof refund?.caseId !== 'string' || !Number.isSafeInteger(refund?.amountMinor) || typeof refund?.currency !== 'string') {
      return answer(res, 400, { error: 'Idempotency-Key, caseId, amountMinor and currency are required' });
    }

    // Check and record in one synchronous step (no await in between): two copies of one delivery
    // arriving together still refund once.
    let delivery = deliveries.get(key);
    const repeat = delivery !== undefined;
    if (!delivery) {
      delivery = { caseId: refund.caseId, payload: refund, outcome: payOut(refund) };
      deliveries.set(key, delivery);
    }
    let reference;
    try {
      ({ reference } = await delivery.outcome);
    } catch (error) {
      // Not paid: forget the key so the assistant's retry tries again.
      if (deliveries.get(key) === delivery) deliveries.delete(key);
      log({ msg: 'refund payout failed', caseId: refund.caseId, error: error?.message });
      return answer(res, 500, { error: 'payout failed' });
    }
    log({ msg: repeat ? 'repeated delivery: already refunded, not paid again' : 'refund paid', caseId: refund.caseId, amount: refund.amount, currency: refund.currency, reference });

    if (confirm === 'answer') return answer(res, 200, { status: 'refunded', reference });
    answer(res, 200, { status: 'accepted' });
    if (confirm === 'callback' && !repeat) track(confirmRefunded(refund.caseId, reference));
  }

  return {
    handle: (req, res) => {
      handle(req, res).catch((error) => {
        log({ msg: 'receiver failed', error: error?.message });
        if (!res.headersSent) answer(res, 500, { error: 'internal error' });
      });
    },
    /** Refunds paid so far, one per Idempotency-Key. */
    refunds: () => [...deliveries.entries()].map(([key, delivery]) => ({ idempotencyKey: key, caseId: delivery.caseId, payload: delivery.payload })),
    /** Resolves when no confirmation call is in flight. */
    idle: () => Promise.all([...pending]).then(() => undefined),
  };
}

// Run as a program: node server.mjs
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const receiver = createReceiver({
    secret: env.REFUND_WEBHOOK_SECRET,
    confirm: env.CONFIRM || 'callback',
    assistantUrl: env.ASSISTANT_URL || 'http://localhost:3978',
    adminToken: env.ADMIN_TOKEN,
  });
  const port = Number(env.PORT || 4000);
  createServer(receiver.handle).listen(port, env.HOST || '127.0.0.1', () => {
    console.log(JSON.stringify({ msg: 'merchant receiver listening', url: `http://${env.HOST || '127.0.0.1'}:${port}/refunds`, confirm: env.CONFIRM || 'callback' }));
  });
}
