/** When to try a failed delivery again: exponential, capped, with jitter. */
export interface BackoffPolicy {
  /** The ceiling of the first retry's delay; each further failure doubles it. */
  baseMs: number;
  /** The largest ceiling. */
  capMs: number;
}

/**
 * The delay before the attempt after failed attempt number `attempt` (from 1): a ceiling of
 * `baseMs · 2^(attempt-1)`, at most `capMs`, and a delay drawn between half the ceiling and the
 * whole of it ("equal jitter"). The jitter spreads the retries of many refunds that failed
 * together (the merchant's endpoint was down) so they do not all come back at once; the half
 * that is kept makes sure a struggling endpoint is given time.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a whole number from 1, got ${attempt}`);
  // 2^(attempt-1) overflows nothing: the exponent is capped long before the cap matters.
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
  const half = ceiling / 2;
  return Math.max(1, Math.round(half + random() * half));
}
