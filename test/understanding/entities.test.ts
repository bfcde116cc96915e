import { describe, expect, it } from 'vitest';
import { extractEntities } from '../../src/understanding/entities.ts';

describe('extractEntities: order ids', () => {
  it.each([
    ['my order 100234 never came', ['100234']],
    ['order #100234', ['100234']],
    ['#100234', ['100234']],
    ['order number: 558812', ['558812']],
    ['订单100234没收到', ['100234']],
    ['订单号：100234', ['100234']],
    ['訂單號碼 100345 申請退款', ['100345']],
    ['100234', ['100234']],
    ['orders 100234 and 100235, also 100234', ['100234', '100235']],
    // a keyword makes even a mobile-shaped number an order id
    ['order number is 13800000000', ['13800000000']],
    // full-width digits are folded
    ['订单１００２３４', ['100234']],
  ] as const)('%s', (text, expected) => {
    expect(extractEntities(text).orderIds).toEqual(expected);
  });

  it.each([
    ['call me on +8613800000000', { phones: ['+8613800000000'] }],
    ['手机13800000000', { phones: ['13800000000'] }],
    ['phone +86 138 0000 0000', { phones: ['+8613800000000'] }],
    ['138-0000-0000', { phones: ['13800000000'] }],
    ['(415) 555-0100', { phones: ['4155550100'] }],
    ['I paid ¥29900 for it', { money: [{ amount: 29900, currency: 'CNY' }] }],
    ['12345.67', {}],
    ['in 2026', {}],
    ['iPhone15 SKU12345', {}],
  ] as const)('%s is not an order id', (text, expected) => {
    const entities = extractEntities(text);
    expect(entities.orderIds).toEqual([]);
    expect(entities).toMatchObject(expected);
  });
});

describe('extractEntities: other kinds', () => {
  it('finds emails, lower-cased, and keeps their digits out of order ids', () => {
    const entities = extractEntities('Email: Li.Lei+shop123456@Example.com, order 100234');
    expect(entities.emails).toEqual(['li.lei+shop123456@example.com']);
    expect(entities.orderIds).toEqual(['100234']);
  });

  it('finds case ids whatever the case, upper-cased', () => {
    expect(extractEntities('status of rf-7kq2mx and RF-3HN8PQ?').caseIds).toEqual(['RF-7KQ2MX', 'RF-3HN8PQ']);
    expect(extractEntities('RF-12345 is not a case id').caseIds).toEqual([]);
  });

  it.each([
    ['¥299', [{ amount: 299, currency: 'CNY' }]],
    ['￥299.50', [{ amount: 299.5, currency: 'CNY' }]],
    ['退我299元', [{ amount: 299, currency: 'CNY' }]],
    ['多扣了50块钱', [{ amount: 50, currency: 'CNY' }]],
    ['paid $1,299.50', [{ amount: 1299.5, currency: 'USD' }]],
    ['USD 20 and 30 dollars', [{ amount: 20, currency: 'USD' }, { amount: 30, currency: 'USD' }]],
    ['CNY 100', [{ amount: 100, currency: 'CNY' }]],
    ['I bought 3 items', []],
  ] as const)('money in %s', (text, expected) => {
    expect(extractEntities(text).money).toEqual(expected);
  });

  it.each([
    ['0000', ['0000']],
    ['1234.', ['1234']],
    ['it is 5678', ['5678']],
    ['last four 0000', ['0000']],
    ['the last 4 digits are 4321', ['4321']],
    ['尾号0000', ['0000']],
    ['手機後四位是 9876', ['9876']],
    ['０１２３', ['0123']],
    ['order 100234', []],
    ['I bought 1234 stickers for my shop and want a refund', []],
    ['¥2999', []],
  ] as const)('phone tail in %s', (text, expected) => {
    expect(extractEntities(text).phoneTails).toEqual(expected);
  });

  it('returns empty lists for text without entities', () => {
    expect(extractEntities('hello there')).toEqual({
      orderIds: [], emails: [], phones: [], phoneTails: [], money: [], caseIds: [],
    });
  });
});
