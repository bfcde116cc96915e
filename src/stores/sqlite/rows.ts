import type { SQLOutputValue } from 'node:sqlite';
import { CodedError } from '../../errors.ts';

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLOutputValue>;

// A value of the wrong type can only come from a damaged file or a schema bug, never from a
// customer, so these are reported as bugs rather than coerced.
function corrupt(column: string, expected: string): CodedError {
  return new CodedError('bug', 'corrupt_row', `Column ${column} does not hold ${expected}`, 500);
}

export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(column, 'text');
  return value;
}

/** Text or SQL NULL (→ undefined). */
export function optionalText(row: Row, column: string): string | undefined {
  const value = row[column];
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'string') throw corrupt(column, 'text');
  return value;
}

export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw corrupt(column, 'an integer');
  return value;
}

/** Dates are stored as integer epoch milliseconds: exact, compact and ordered in indexes. */
export function date(row: Row, column: string): Date {
  return new Date(integer(row, column));
}

/** JSON written by these stores themselves; its shape is trusted, its syntax is not. */
export function json<T>(row: Row, column: string): T {
  try {
    return JSON.parse(text(row, column)) as T;
  } catch (error) {
    throw error instanceof CodedError ? error : corrupt(column, 'JSON');
  }
}

/** A text column restricted to a closed set of values (statuses, locales, categories…). */
export function oneOf<T extends string>(row: Row, column: string, allowed: readonly T[]): T {
  const value = text(row, column);
  if (!(allowed as readonly string[]).includes(value)) throw corrupt(column, `one of ${allowed.join(', ')}`);
  return value as T;
}
