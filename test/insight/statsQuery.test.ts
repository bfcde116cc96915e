import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/domain/clock.ts';
import { lastDays, parseStatsQuery } from '../../src/insight/statsQuery.ts';

const clock = new FixedClock('2026-11-23T15:30:00Z');

describe('the period of /v1/stats', () => {
  it('reads whole UTC days, both ends included', () => {
    expect(parseStatsQuery({ from: '2026-11-01', to: '2026-11-07', channel: 'wechat' }, clock)).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-08T00:00:00Z'),
      channel: 'wechat',
    });
    expect(parseStatsQuery({ from: '2026-11-23', to: '2026-11-23' }, clock)).toEqual({ from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-24T00:00:00Z') });
  });

  it('defaults to the last 30 days, today included, as `--since 30d`', () => {
    const expected = { from: new Date('2026-10-25T00:00:00Z'), to: new Date('2026-11-24T00:00:00Z') };
    expect(parseStatsQuery({}, clock)).toEqual(expected);
    expect(parseStatsQuery(undefined, clock)).toEqual(expected);
    expect(lastDays(30, clock)).toEqual(expected);
    // Without `from`: the 30 days ending with `to`.
    expect(parseStatsQuery({ to: '2026-10-31' }, clock)).toEqual({ from: new Date('2026-10-02T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z') });
  });

  it('answers a bad parameter with a 400 that names it', () => {
    const bad = (raw: Record<string, string>) => {
      try {
        parseStatsQuery(raw, clock);
      } catch (error) {
        return error;
      }
      throw new Error('accepted');
    };
    expect(bad({ from: '2026-11-31' })).toMatchObject({ code: 'invalid_query', status: 400, message: expect.stringMatching(/^from: /) });
    expect(bad({ to: '23/11/2026' })).toMatchObject({ status: 400, message: expect.stringMatching(/^to: /) });
    expect(bad({ channel: 'we chat' })).toMatchObject({ status: 400, message: expect.stringMatching(/^channel: /) });
    expect(bad({ from: '2026-11-10', to: '2026-11-09' })).toMatchObject({ status: 400, message: expect.stringMatching(/^from: must not be after to/) });
    expect(bad({ from: '2000-01-01', to: '2026-11-09' })).toMatchObject({ status: 400, message: expect.stringMatching(/^from: the period may span at most/) });
  });
});
