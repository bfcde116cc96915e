import { CodedError } from '../errors.ts';
import { MAX_PAGE } from './ports.ts';

// Arguments of the reads by period (ports.ts), checked alike by both backends. A bad value comes
// from our own code (the HTTP layer validates what people type), so it is reported as a bug.

function bug(message: string): CodedError {
  return new CodedError('bug', 'invalid_page', message, 500);
}

/** The page size, checked: a whole number from 1 to `MAX_PAGE`. */
export function checkPage(page: { limit: number }): number {
  const limit = page?.limit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw bug(`a page holds 1 to ${MAX_PAGE} items, not ${String(limit)}`);
  return limit;
}

/** A period [from, to) of valid dates, `from` not after `to`. */
export function checkPeriod(from: Date, to: Date): void {
  if (!(from instanceof Date) || !(to instanceof Date) || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw bug('a period needs two valid dates');
  if (from.getTime() > to.getTime()) throw bug(`a period cannot end (${to.toISOString()}) before it starts (${from.toISOString()})`);
}

/** A batch of ids for a multi-get: at most `MAX_PAGE` strings. */
export function checkIds(ids: string[]): void {
  if (!Array.isArray(ids) || ids.length > MAX_PAGE || ids.some((id) => typeof id !== 'string')) throw bug(`a batch holds at most ${MAX_PAGE} ids`);
}
