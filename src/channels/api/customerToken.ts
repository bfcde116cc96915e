import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../errors.ts';

const Claims = z.object({
  /** The shop's customer id (orders file `customer.id`). */
  sub: z.string().min(1).max(200),
  /** Expiry, seconds since 1970. */
  exp: z.number().int().positive(),
});

/** What a verified customer token says. */
export interface VouchedCustomer {
  customerId: string;
}

/**
 * Verifies the signed customer token a shop puts on its page for a logged-in customer
 * (`data-customer-token`): `base64url(JSON {sub, exp}) + "." + base64url(HMAC-SHA256(payload))`
 * with the shop's `CUSTOMER_TOKEN_SECRET`. A valid token vouches for the customer, so they need
 * not prove they own their orders again (SPEC §5). Bad, forged or expired → 401.
 */
export function verifyCustomerToken(token: string, secret: string | undefined, now: Date): VouchedCustomer {
  if (!secret) throw new InputError('customer_tokens_off', 'this assistant does not accept customer tokens (CUSTOMER_TOKEN_SECRET is not set)', 401);
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new InputError('bad_customer_token', 'malformed customer token', 401);
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InputError('bad_customer_token', 'customer token signature does not match', 401);
  let claims: z.infer<typeof Claims>;
  try {
    claims = Claims.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    throw new InputError('bad_customer_token', 'customer token payload is not valid', 401);
  }
  if (claims.exp * 1000 <= now.getTime()) throw new InputError('customer_token_expired', 'customer token has expired', 401);
  return { customerId: claims.sub };
}

/** Makes a customer token (what a shop's backend does; used by tests and the README's example). */
export function signCustomerToken(claims: { sub: string; exp: number }, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}
