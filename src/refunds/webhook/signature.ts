import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The refund webhook's signature, Stripe-style. The header
 *
 *     Refundbot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
 *
 * carries when the request was signed and `HMAC-SHA256(key = REFUND_WEBHOOK_SECRET as UTF-8,
 * message = "<t>.<raw body>")` in lowercase hex. Signing the timestamp with the body lets the
 * receiver refuse a captured request replayed later (it checks `t` against its own clock), and
 * `v1` names the scheme so that another can be added beside it without breaking receivers.
 * https://docs.stripe.com/webhooks#verify-manually
 */
export const SIGNATURE_HEADER = 'Refundbot-Signature';

/** How far a receiver should let `t` be from its own clock (5 minutes, as Stripe's libraries). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The HMAC of one request, lowercase hex. */
export function signatureOf(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}

/** The header value for `body` signed at `timestampSeconds`. */
export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) throw new RangeError(`bad timestamp ${timestampSeconds}`);
  return `t=${timestampSeconds},v1=${signatureOf(secret, timestampSeconds, body)}`;
}

/** Why a signature was refused. */
export type SignatureProblem = 'missing' | 'malformed' | 'stale' | 'mismatch';

/**
 * Checks a header as a receiver must: the timestamp within `toleranceSeconds` of `nowSeconds`,
 * and one `v1` equal to the HMAC of `t.body`, compared in constant time. (The reference receiver
 * in examples/merchant-receiver does the same in plain JavaScript.)
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): { ok: true } | { ok: false; problem: SignatureProblem } {
  if (!header) return { ok: false, problem: 'missing' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, problem: 'malformed' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, problem: 'stale' };
  const expected = Buffer.from(signatureOf(secret, timestamp, body), 'hex');
  const matches = candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matches ? { ok: true } : { ok: false, problem: 'mismatch' };
}
