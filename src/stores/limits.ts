import { CodedError } from '../errors.ts';

/** Checks a caller-given duration (TTL, window): a whole number of milliseconds above zero. */
export function assertDurationMs(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CodedError('bug', 'invalid_argument', `${name} must be a positive whole number of milliseconds, got ${value}`, 500);
  }
}

/** Checks a caller-given key (idempotency, rate limit): non-empty text. */
export function assertKey(name: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CodedError('bug', 'invalid_argument', `${name} must be a non-empty string`, 500);
  }
}

/** Checks a caller-given count (a batch size): a whole number above zero. */
export function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CodedError('bug', 'invalid_argument', `${name} must be a positive whole number, got ${value}`, 500);
  }
}
