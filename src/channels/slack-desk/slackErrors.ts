import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { CodedError } from '../../errors.ts';

/** Whether a failed Slack Web API call is worth trying again, and when at the earliest. */
export type SlackFailure = { retryable: true; code: string; retryAfterMs?: number } | { retryable: false; code: string };

/**
 * Platform errors (HTTP 200 with `ok: false`) that mean "Slack had a problem, try later"; every
 * other platform error (`channel_not_found`, `not_in_channel`, `invalid_auth`, `invalid_blocks`…)
 * will fail the same way again. https://docs.slack.dev/apis/web-api/#errors
 */
const TRANSIENT_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/**
 * Classifies an error from a delivery: thrown by `@slack/web-api` (v7+ error classes), or by
 * our stores. Rate limits carry Slack's
 * `Retry-After`, which a client must honour. https://docs.slack.dev/apis/web-api/rate-limits
 */
export function classifySlackError(error: unknown): SlackFailure {
  if (error instanceof WebAPIRateLimitedError) return { retryable: true, code: 'ratelimited', retryAfterMs: Math.max(0, error.retryAfter) * 1000 };
  if (error instanceof WebAPIRequestError) return { retryable: true, code: 'request_failed' };
  if (error instanceof WebAPIHTTPError) {
    return { retryable: error.statusCode >= 500 || error.statusCode === 408 || error.statusCode === 429, code: `http_${error.statusCode}` };
  }
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    return TRANSIENT_PLATFORM_ERRORS.has(code) ? { retryable: true, code } : { retryable: false, code };
  }
  // Our own store being briefly unavailable (Redis failover) passes like a Slack outage.
  if (error instanceof CodedError && error.fault === 'upstream') return { retryable: true, code: error.code };
  return { retryable: false, code: error instanceof CodedError ? error.code : 'unexpected_error' };
}

/** The `error` string of a Slack platform error (`message_not_found`, …), if it is one. */
export function platformErrorCode(error: unknown): string | undefined {
  return error instanceof WebAPIPlatformError ? error.data.error : undefined;
}
