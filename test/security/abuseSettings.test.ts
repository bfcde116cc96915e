import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hitClockWindow, secondsUntil } from '../../src/abuse/clockWindow.ts';
import { loadConfig } from '../../src/config.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import type { RateLimitStore } from '../../src/stores/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('abuse limit settings', () => {
  it('has the documented defaults, 0 turning a limit off', () => {
    expect(loadConfig({}, ROOT)).toMatchObject({
      RATE_LIMIT_PER_IP_PER_MINUTE: 300,
      RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: 60,
      CONVERSATIONS_PER_IP_PER_HOUR: 30,
      IDENTITY_ATTEMPTS: 3,
      REFUND_REQUESTS_PER_CUSTOMER_PER_DAY: 5,
      TRUST_PROXY: false,
    });
    expect(loadConfig({ IDENTITY_ATTEMPTS: '0', CONVERSATIONS_PER_IP_PER_HOUR: '0' }, ROOT)).toMatchObject({ IDENTITY_ATTEMPTS: 0, CONVERSATIONS_PER_IP_PER_HOUR: 0 });
  });

  it.each([
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['10.0.0.1', ['10.0.0.1']],
    [' 10.0.0.0/8, loopback ,2001:db8::/32', ['10.0.0.0/8', 'loopback', '2001:db8::/32']],
  ])('reads TRUST_PROXY=%j as %j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }, ROOT).TRUST_PROXY).toEqual(expected);
  });

  it.each([['2'], ['proxy.internal'], ['10.0.0.0/33'], ['10.0.0.1/8/1'], ['10.0.0.1,nope']])('stops on TRUST_PROXY=%j naming it', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value }, ROOT)).toThrow('TRUST_PROXY');
  });

  it.each([['RATE_LIMIT_PER_IP_PER_MINUTE', '-1'], ['IDENTITY_ATTEMPTS', '1.5'], ['REFUND_REQUESTS_PER_CUSTOMER_PER_DAY', 'five']])('stops on %s=%j', (name, value) => {
    expect(() => loadConfig({ [name]: value }, ROOT)).toThrow(name);
  });
});

describe('windows that follow the injected clock', () => {
  /** The port as the stores implement it, in memory (windows are not this test's concern). */
  function countingStore(): RateLimitStore & { keys: string[] } {
    const counts = new Map<string, number>();
    return {
      keys: [],
      async hit(key) {
        this.keys.push(key);
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        return { count, resetAt: new Date(0) };
      },
    };
  }

  it('counts in clock-aligned windows that end on the hour, and starts again in the next one', async () => {
    const store = countingStore();
    const clock = new FixedClock('2026-11-20T12:59:59.500Z');
    const hour = 3_600_000;
    expect(await hitClockWindow(store, clock, 'starts:1.2.3.4', hour)).toEqual({ count: 1, resetAt: new Date('2026-11-20T13:00:00Z') });
    expect((await hitClockWindow(store, clock, 'starts:1.2.3.4', hour)).count).toBe(2);
    expect(secondsUntil(new Date('2026-11-20T13:00:00Z'), clock)).toBe(1);
    clock.advance(500);
    expect(await hitClockWindow(store, clock, 'starts:1.2.3.4', hour)).toEqual({ count: 1, resetAt: new Date('2026-11-20T14:00:00Z') });
    expect(new Set(store.keys).size).toBe(2);
  });

  it('never answers a Retry-After below one second', () => {
    const clock = new FixedClock('2026-11-20T12:00:00Z');
    expect(secondsUntil(new Date('2026-11-20T11:00:00Z'), clock)).toBe(1);
    expect(secondsUntil(new Date('2026-11-20T12:00:00.001Z'), clock)).toBe(1);
    expect(secondsUntil(new Date('2026-11-20T12:01:00Z'), clock)).toBe(60);
  });
});
