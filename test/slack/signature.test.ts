import { describe, expect, it } from 'vitest';
import { checkSlackSignature } from '../../src/channels/slack-desk/signature.ts';
import { slackSignature } from '../support/slackSigner.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const now = new Date('2026-11-10T09:00:00Z');
const nowSeconds = now.getTime() / 1000;
const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';

const check = (timestamp: number | string | undefined, signature: string | undefined, raw = body) =>
  checkSlackSignature({ signingSecret: secret, rawBody: raw, timestamp: timestamp === undefined ? undefined : String(timestamp), signature, now });

describe('Slack request signature', () => {
  it('accepts a request signed with the secret within five minutes either way', () => {
    for (const skew of [0, -299, 299]) expect(check(nowSeconds + skew, slackSignature(secret, nowSeconds + skew, body))).toEqual({ ok: true });
  });

  it.each([
    ['another secret', nowSeconds, slackSignature('another-secret', nowSeconds, body), body],
    ['a changed body', nowSeconds, slackSignature(secret, nowSeconds, body), `${body}x`],
    ['older than five minutes', nowSeconds - 301, slackSignature(secret, nowSeconds - 301, body), body],
    ['more than five minutes ahead', nowSeconds + 301, slackSignature(secret, nowSeconds + 301, body), body],
    ['a timestamp that is not a number', 'soon', slackSignature(secret, 'soon', body), body],
    ['a timestamp other than the signed one', nowSeconds, slackSignature(secret, nowSeconds - 1, body), body],
    ['no signature', nowSeconds, undefined, body],
    ['no timestamp', undefined, slackSignature(secret, nowSeconds, body), body],
    ['an unknown version', nowSeconds, slackSignature(secret, nowSeconds, body).replace('v0=', 'v1='), body],
  ])('refuses %s', (_name, timestamp, signature, raw) => {
    expect(check(timestamp, signature, raw).ok).toBe(false);
  });
});
