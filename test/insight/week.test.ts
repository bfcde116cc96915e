import { describe, expect, it } from 'vitest';
import { digestSlot, followingSlot, isoWeek, isTimeZone, slotOfWeek, zonedInstant, zonedTime } from '../../src/insight/week.ts';

const iso = (date: Date) => date.toISOString();

describe('weeks in the merchant’s time zone', () => {
  it('finds the digest of the week: due Monday 09:00 Shanghai, about the Monday-to-Sunday before', () => {
    // Monday 2026-11-23 08:59 in Shanghai (UTC+8) is 00:59 UTC.
    const slot = slotOfWeek(new Date('2026-11-23T00:59:00Z'), 'Asia/Shanghai');
    expect(iso(slot.due)).toBe('2026-11-23T01:00:00.000Z');
    expect([iso(slot.week.from), iso(slot.week.to)]).toEqual(['2026-11-15T16:00:00.000Z', '2026-11-22T16:00:00.000Z']);
    expect([iso(slot.previous.from), iso(slot.previous.to)]).toEqual(['2026-11-08T16:00:00.000Z', '2026-11-15T16:00:00.000Z']);
    expect(slot.isoWeek).toBe('2026-W47');
    expect(slot.firstDay).toEqual({ year: 2026, month: 11, day: 16 });
    expect(slot.lastDay).toEqual({ year: 2026, month: 11, day: 22 });
    // Sunday night in Shanghai is still the week before (its digest was due on the 16th).
    expect(iso(slotOfWeek(new Date('2026-11-22T15:30:00Z'), 'Asia/Shanghai').due)).toBe('2026-11-16T01:00:00.000Z');
    expect(iso(followingSlot(slot, 'Asia/Shanghai').due)).toBe('2026-11-30T01:00:00.000Z');
  });

  it('counts a week across a daylight-saving change in local time', () => {
    // Berlin moves to summer time on Sunday 2026-03-29: the week has 167 hours.
    const slot = digestSlot({ year: 2026, month: 3, day: 30 }, 'Europe/Berlin');
    expect(iso(slot.due)).toBe('2026-03-30T07:00:00.000Z');
    expect([iso(slot.week.from), iso(slot.week.to)]).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(zonedTime(new Date('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 30, weekday: 7 });
    expect(iso(zonedInstant({ year: 2026, month: 11, day: 2 }, 'America/New_York', 9))).toBe('2026-11-02T14:00:00.000Z');
  });

  it.each([
    [{ year: 2026, month: 1, day: 1 }, '2026-W01'],
    [{ year: 2026, month: 12, day: 28 }, '2026-W53'],
    [{ year: 2027, month: 1, day: 3 }, '2026-W53'],
    [{ year: 2021, month: 1, day: 3 }, '2020-W53'],
    [{ year: 2024, month: 12, day: 30 }, '2025-W01'],
  ])('ISO week of %j is %s', (day, week) => {
    expect(isoWeek(day)).toBe(week);
  });

  it('knows real zones from typos', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Asia/Shangai')).toBe(false);
  });
});
