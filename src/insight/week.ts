/**
 * Weeks in the merchant's time zone, for the weekly digest: a week runs from Monday 00:00 to the
 * next Monday 00:00 local time, and its digest is due the Monday after it at 09:00. Plain Intl
 * (the zone database Node ships), no library: an instant's wall-clock time comes from
 * `Intl.DateTimeFormat`, and a wall-clock time's instant from the zone's offset at that moment.
 */

/** A calendar day. */
export interface LocalDay {
  year: number;
  month: number;
  day: number;
}

/** Wall-clock time in a zone; `weekday` 1 = Monday … 7 = Sunday (ISO). */
export interface ZonedTime extends LocalDay {
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** One digest: when it is due, the week it reports on, the week it compares with, and its key. */
export interface DigestSlot {
  /** Monday 09:00 local, after the week. */
  due: Date;
  week: { from: Date; to: Date };
  previous: { from: Date; to: Date };
  /** The reported week's ISO week, `2026-W47`: one digest per week across instances. */
  isoWeek: string;
  /** The reported week's days, Monday and Sunday (for the message and the dashboard link). */
  firstDay: LocalDay;
  lastDay: LocalDay;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, format);
  }
  return format;
}

/** True when the runtime knows the IANA zone (`Asia/Shanghai`, `Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of an instant in a zone. */
export function zonedTime(instant: Date, timeZone: string): ZonedTime {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? Number.NaN,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (east positive: +8 h for Shanghai). */
function offsetMs(instant: number, timeZone: string): number {
  const t = zonedTime(new Date(instant), timeZone);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in a zone. Two passes settle the offset across a DST
 * change; a time skipped by a change comes out an hour later, a repeated one at its first pass.
 */
export function zonedInstant(day: LocalDay, timeZone: string, hour = 0, minute = 0): Date {
  const wall = Date.UTC(day.year, day.month - 1, day.day, hour, minute);
  const first = wall - offsetMs(wall, timeZone);
  return new Date(wall - offsetMs(first, timeZone));
}

/** The calendar day `days` after `day` (negative: before). */
export function addLocalDays(day: LocalDay, days: number): LocalDay {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** `YYYY-MM-DD`. */
export function dayString(day: LocalDay): string {
  return `${String(day.year).padStart(4, '0')}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
}

/** ISO 8601 week of a day, `2026-W47` (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(day: LocalDay): string {
  const date = new Date(Date.UTC(day.year, day.month - 1, day.day));
  const weekday = date.getUTCDay() || 7;
  // The Thursday of this week decides the year.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The digest due on the Monday `monday` at `hour`:00 local, reporting on the seven days before it. */
export function digestSlot(monday: LocalDay, timeZone: string, hour = 9): DigestSlot {
  const firstDay = addLocalDays(monday, -7);
  const before = addLocalDays(monday, -14);
  const weekStart = zonedInstant(firstDay, timeZone);
  return {
    due: zonedInstant(monday, timeZone, hour),
    week: { from: weekStart, to: zonedInstant(monday, timeZone) },
    previous: { from: zonedInstant(before, timeZone), to: weekStart },
    isoWeek: isoWeek(firstDay),
    firstDay,
    lastDay: addLocalDays(monday, -1),
  };
}

/** The digest of the local week `now` is in: due this Monday (possibly already past). */
export function slotOfWeek(now: Date, timeZone: string, hour = 9): DigestSlot {
  const local = zonedTime(now, timeZone);
  return digestSlot(addLocalDays(local, 1 - local.weekday), timeZone, hour);
}

/** The digest due a week after `slot`. */
export function followingSlot(slot: DigestSlot, timeZone: string, hour = 9): DigestSlot {
  return digestSlot(addLocalDays(slot.lastDay, 8), timeZone, hour);
}
