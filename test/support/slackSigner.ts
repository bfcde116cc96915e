import { createHmac } from 'node:crypto';

/**
 * Builds requests as Slack sends them to an app: the body (JSON for the Events API; a form with a
 * JSON `payload` field for interactivity) and its signature headers, `v0=` + HMAC-SHA256 of
 * `v0:{timestamp}:{body}` with the app's signing secret.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** An Events API delivery (event_callback, url_verification): a JSON body. */
export function signedEvent(secret: string, payload: unknown, timestamp: number, extraHeaders: Record<string, string> = {}): SignedRequest {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', ...signatureHeaders(secret, timestamp, body), ...extraHeaders } };
}

/** An interactivity delivery (block_actions, view_submission): `payload=` + URL-encoded JSON. */
export function signedInteraction(secret: string, payload: unknown, timestamp: number): SignedRequest {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...signatureHeaders(secret, timestamp, body) } };
}

function signatureHeaders(secret: string, timestamp: number, body: string): Record<string, string> {
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(secret, timestamp, body) };
}
