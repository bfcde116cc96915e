import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { InputError } from '../errors.ts';
import type { StatsQuery } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** When no period is asked for: the last 30 days, today included. */
export const DEFAULT_PERIOD_DAYS = 30;
/** The longest period one request may ask for (its `byDay` has one entry per day). */
export const MAX_PERIOD_DAYS = 3660;

/** A calendar day, `YYYY-MM-DD`, that exists (no 2026-02-30). */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-11-01')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
  }, 'is not a calendar date');

/** A channel name as the stores record it (`api`, `web`, `wechat`, `slack`, `botframework`…). */
const Channel = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a channel name such as api, wechat or slack');

/**
 * The query of `GET /v1/stats` (and `/v1/stats.csv`), as the merchant writes it: whole UTC days,
 * `from` and `to` both included. Other parameters are ignored.
 */
export const StatsQueryParams = z.object({
  from: Day.optional(),
  to: Day.optional(),
  channel: Channel.optional(),
});

/**
 * The period asked for as a `StatsQuery`: from `from` 00:00 UTC to the end of `to` (exclusive:
 * the next day's 00:00). Without `to`, up to the end of today; without `from`, the 30 days that
 * end with `to`. A bad value is a 400 naming the parameter.
 */
export function parseStatsQuery(raw: unknown, clock: Clock): StatsQuery {
  const parsed = StatsQueryParams.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'query');
    throw new InputError('invalid_query', `${name}: ${issue?.message ?? 'invalid'}`);
  }
  const { from, to, channel } = parsed.data;
  const end = to ? dayStart(to).getTime() + DAY_MS : startOfUtcDay(clock.now()).getTime() + DAY_MS;
  const start = from ? dayStart(from).getTime() : end - DEFAULT_PERIOD_DAYS * DAY_MS;
  if (start >= end) throw new InputError('invalid_query', `from: must not be after to (${from ?? ''} > ${to ?? 'today'})`);
  if (end - start > MAX_PERIOD_DAYS * DAY_MS) throw new InputError('invalid_query', `from: the period may span at most ${MAX_PERIOD_DAYS} days`);
  return { from: new Date(start), to: new Date(end), ...(channel ? { channel } : {}) };
}

/** The last `days` whole UTC days, today included (the CLI's `--since 30d`). */
export function lastDays(days: number, clock: Clock, channel?: string): StatsQuery {
  const end = startOfUtcDay(clock.now()).getTime() + DAY_MS;
  return { from: new Date(end - days * DAY_MS), to: new Date(end), ...(channel ? { channel } : {}) };
}

function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

function startOfUtcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}
