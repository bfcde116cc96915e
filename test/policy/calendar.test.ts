import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, hoursApart, withinDays } from '../../src/policy/calendar.ts';

const d = (iso: string) => new Date(iso);

describe('calendar days (UTC dates, last day inclusive)', () => {
  it.each([
    ['2026-11-03T09:00:00Z', '2026-11-03T23:59:59Z', 0],
    ['2026-11-03T23:59:59Z', '2026-11-04T00:00:00Z', 1], // one second, but the next date
    ['2026-11-03T00:00:00Z', '2026-11-10T23:59:59Z', 7],
    ['2026-10-31T12:00:00Z', '2026-11-30T12:00:00Z', 30],
    ['2028-02-28T12:00:00Z', '2028-03-01T12:00:00Z', 2], // leap year
    ['2026-11-05T00:00:00Z', '2026-11-03T00:00:00Z', -2],
    ['2026-11-03T20:00:00-08:00', '2026-11-04T01:00:00Z', 0], // 20:00 in LA is 04:00Z on the 4th
  ])('%s → %s = %i days', (from, to, days) => {
    expect(calendarDaysBetween(d(from), d(to))).toBe(days);
  });

  it('opens a 7-day window through the 7th date after the anchor', () => {
    const delivered = d('2026-11-03T09:00:00Z');
    expect(withinDays(delivered, d('2026-11-10T23:59:59Z'), 7)).toBe(true);
    expect(withinDays(delivered, d('2026-11-11T00:00:00Z'), 7)).toBe(false);
  });

  it('measures hours exactly, either way round', () => {
    expect(hoursApart(d('2026-11-01T00:00:00Z'), d('2026-11-03T00:00:00Z'))).toBe(48);
    expect(hoursApart(d('2026-11-03T00:30:00Z'), d('2026-11-01T00:00:00Z'))).toBe(48.5);
  });
});
