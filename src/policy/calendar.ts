/**
 * Calendar arithmetic for policy windows. A "day" is a UTC calendar date: the policy is the same
 * for every customer whatever their time zone, and a decision never depends on the server's zone.
 *
 * A window of N days counted from date D (delivery, purchase) is open on the dates D … D+N,
 * inclusive of the last day — the way "within 7 days of delivery" is read in consumer law (the
 * count starts the day after delivery). Delivered 2026-11-03, a 7-day window is open until the
 * end of 2026-11-10 UTC and closed from 2026-11-11.
 */

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** The UTC calendar date of an instant as a day number (days since 1970-01-01). */
export function utcDayNumber(instant: Date): number {
  return Math.floor(instant.getTime() / MS_PER_DAY);
}

/** Calendar days from `from`'s UTC date to `to`'s UTC date (0 on the same date, negative before). */
export function calendarDaysBetween(from: Date, to: Date): number {
  return utcDayNumber(to) - utcDayNumber(from);
}

/** Whether `now` falls within `days` calendar days counted from `anchor`, last day included. */
export function withinDays(anchor: Date, now: Date, days: number): boolean {
  return calendarDaysBetween(anchor, now) <= days;
}

/** Absolute distance between two instants in hours (not calendar-based: "within 48 hours"). */
export function hoursApart(a: Date, b: Date): number {
  return Math.abs(a.getTime() - b.getTime()) / MS_PER_HOUR;
}

/** The instant `days` whole days after `instant` (same time of day, UTC has no DST). */
export function addDays(instant: Date, days: number): Date {
  return new Date(instant.getTime() + days * MS_PER_DAY);
}
