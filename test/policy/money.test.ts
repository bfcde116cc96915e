import { describe, expect, it } from 'vitest';
import { formatMoney, fromMinor, toMinor } from '../../src/domain/money.ts';

describe('money', () => {
  it('converts decimals to minor units exactly', () => {
    expect(toMinor(299.0, 'CNY')).toBe(29900);
    expect(toMinor(0.1 + 0.2, 'USD')).toBe(30);
    expect(toMinor(1999, 'JPY')).toBe(1999);
    expect(fromMinor(30900, 'CNY')).toBe(309);
    expect(fromMinor(1234, 'USD')).toBe(12.34);
  });
  it('refuses amounts finer than the currency', () => {
    expect(() => toMinor(299.001, 'CNY')).toThrow(RangeError);
    expect(() => toMinor(Number.NaN, 'CNY')).toThrow(RangeError);
  });
  it('formats for the customer locale', () => {
    expect(formatMoney(30900, 'CNY', 'zh-CN')).toBe('¥309.00');
    expect(formatMoney(1250, 'USD', 'en')).toBe('$12.50');
  });
});
