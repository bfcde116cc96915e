import { describe, expect, it } from 'vitest';
import { verifySignature as receiverVerify } from '../../examples/merchant-receiver/server.mjs';
import { signatureHeader, verifySignature } from '../../src/refunds/webhook/signature.ts';

const SECRET = 'whsec_0123456789abcdef0123456789abcdef';
const BODY = '{"a":1}';
// printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_0123456789abcdef0123456789abcdef'
const KNOWN = 't=1700000000,v1=c1fdbee94e006c1ee2b03ad4166411f2d89824ec39aa8fa23dfdae06b759e2ed';

// The assistant's verifier (for tests and tools) and the reference receiver's must agree on everything.
describe.each([
  ['src/refunds/webhook/signature.ts', verifySignature],
  ['examples/merchant-receiver/server.mjs', receiverVerify],
] as const)('refund webhook signature (%s)', (_name, verify) => {
  it('signs HMAC-SHA256 of "<t>.<body>" with the secret, as documented (an independent openssl vector)', () => {
    expect(signatureHeader(SECRET, 1_700_000_000, BODY)).toBe(KNOWN);
    expect(verify(KNOWN, BODY, SECRET, 1_700_000_000)).toEqual({ ok: true });
  });

  it('accepts a timestamp up to 5 minutes off either way, and no further', () => {
    expect(verify(KNOWN, BODY, SECRET, 1_700_000_300)).toEqual({ ok: true });
    expect(verify(KNOWN, BODY, SECRET, 1_699_999_700)).toEqual({ ok: true });
    expect(verify(KNOWN, BODY, SECRET, 1_700_000_301)).toEqual({ ok: false, problem: 'stale' });
    expect(verify(KNOWN, BODY, SECRET, 1_699_999_699)).toEqual({ ok: false, problem: 'stale' });
  });

  it('refuses another body, another secret, or a timestamp changed after signing', () => {
    expect(verify(KNOWN, '{"a":2}', SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'mismatch' });
    expect(verify(KNOWN, `${BODY} `, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'mismatch' });
    expect(verify(KNOWN, BODY, `${SECRET}!`, 1_700_000_000)).toEqual({ ok: false, problem: 'mismatch' });
    expect(verify(KNOWN.replace('t=1700000000', 't=1700000001'), BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'mismatch' });
  });

  it('accepts any one matching v1 of several (secret rotation) and ignores unknown schemes', () => {
    const other = signatureHeader(`${SECRET}-old`, 1_700_000_000, BODY).split(',')[1];
    expect(verify(`t=1700000000,${other},v1=${KNOWN.split('v1=')[1]},v0=abc`, BODY, SECRET, 1_700_000_000)).toEqual({ ok: true });
  });

  it('names what is wrong with a missing or malformed header', () => {
    expect(verify(undefined, BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'missing' });
    expect(verify('', BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'missing' });
    expect(verify('v1=c1fdbee94e006c1ee2b03ad4166411f2d89824ec39aa8fa23dfdae06b759e2ed', BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'malformed' });
    expect(verify('t=1700000000', BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'malformed' });
    expect(verify('t=1700000000,v1=C1FD', BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'malformed' });
    expect(verify('t=abc,v1=c1fdbee94e006c1ee2b03ad4166411f2d89824ec39aa8fa23dfdae06b759e2ed', BODY, SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('checks the exact bytes: a body with non-ASCII text verifies as sent', () => {
    const body = JSON.stringify({ reason: '耳机坏了', amount: '309.00' });
    const header = signatureHeader(SECRET, 1_700_000_000, body);
    expect(verify(header, body, SECRET, 1_700_000_000)).toEqual({ ok: true });
    expect(verify(header, JSON.stringify({ reason: '耳機壞了', amount: '309.00' }), SECRET, 1_700_000_000)).toEqual({ ok: false, problem: 'mismatch' });
  });
});
