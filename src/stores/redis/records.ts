import { CodedError } from '../../errors.ts';

/** A JSON object these stores wrote themselves; its shape is checked field by field on reading. */
export type StoredRecord = Record<string, unknown>;

/**
 * A stored value of the wrong type: it can only come from a damaged key or a bug, never from a
 * customer, so it is reported as a bug rather than coerced.
 */
export function corrupt(what: string, field: string, expected: string): CodedError {
  return new CodedError('bug', 'corrupt_record', `${what}: field ${field} does not hold ${expected}`, 500);
}

/** Parses stored JSON that must be an object. */
export function parseRecord(json: string, what: string): StoredRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new CodedError('bug', 'corrupt_record', `${what} is not valid JSON`, 500);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodedError('bug', 'corrupt_record', `${what} is not a JSON object`, 500);
  }
  return value as StoredRecord;
}

/** A required text field. */
export function text(record: StoredRecord, field: string, what: string): string {
  const value = record[field];
  if (typeof value !== 'string') throw corrupt(what, field, 'text');
  return value;
}

/** A text field that may be absent (or null). */
export function optionalText(record: StoredRecord, field: string, what: string): string | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw corrupt(what, field, 'text');
  return value;
}

/** A required whole-number field. */
export function integer(record: StoredRecord, field: string, what: string): number {
  const value = record[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw corrupt(what, field, 'an integer');
  return value;
}

/** Dates are stored as epoch milliseconds: exact and compact. */
export function date(record: StoredRecord, field: string, what: string): Date {
  return new Date(integer(record, field, what));
}

/** A text field restricted to a closed set of values (statuses, locales, categories…). */
export function oneOf<T extends string>(record: StoredRecord, field: string, allowed: readonly T[], what: string): T {
  const value = text(record, field, what);
  if (!(allowed as readonly string[]).includes(value)) throw corrupt(what, field, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** A nested JSON value written by these stores; its presence is checked, its inner shape trusted. */
export function nested<T>(record: StoredRecord, field: string, kind: 'array' | 'object', what: string): T {
  const value = record[field];
  const ok = kind === 'array' ? Array.isArray(value) : typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!ok) throw corrupt(what, field, `an ${kind}`);
  return value as T;
}
