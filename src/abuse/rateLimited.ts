import { InputError } from '../errors.ts';

/**
 * A client went over a request limit: 429 with `{ error: { code: 'rate_limited' } }`. The
 * caller sets `Retry-After` (whole seconds) on the reply before throwing.
 */
export class RateLimitedError extends InputError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message, 429);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
