import { verifySlackRequest } from '@slack/bolt';

/** Slack rejects nothing older than this itself; we refuse it as a possible replay. */
export const MAX_SIGNATURE_AGE_SECONDS = 5 * 60;

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks Slack's request signature: `X-Slack-Signature` is `v0=` + HMAC-SHA256(signing secret,
 * `v0:{X-Slack-Request-Timestamp}:{raw body}`), and the timestamp is within five minutes of
 * now, either way. Bolt's `verifySlackRequest` does the HMAC (constant-time compare) and the
 * "too old" check; a timestamp from the future is refused here too, as Slack's guide does.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function checkSlackSignature(input: {
  signingSecret: string;
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now: Date;
}): SignatureVerdict {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad request timestamp' };
  const seconds = Number(timestamp);
  const nowMs = input.now.getTime();
  if (Math.abs(nowMs / 1000 - seconds) > MAX_SIGNATURE_AGE_SECONDS) return { ok: false, reason: 'request timestamp too old or in the future' };
  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': seconds },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch {
    return { ok: false, reason: 'signature mismatch' };
  }
}
