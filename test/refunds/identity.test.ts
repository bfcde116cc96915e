import { describe, expect, it } from 'vitest';
import type { Order } from '../../src/domain/order.ts';
import { provesOwnership } from '../../src/refunds/identity.ts';
import { chooseItems } from '../../src/refunds/items.ts';

const order: Order = {
  id: '100234',
  customer: { id: 'c-17', name: 'Li Lei', email: 'LiLei@Example.com', phone: '+8613800001234' },
  placedAt: new Date('2026-11-01T10:00:00Z'),
  deliveredAt: new Date('2026-11-03T09:00:00Z'),
  status: 'delivered',
  currency: 'CNY',
  items: [
    { sku: 'HP-200', name: 'Wireless headphones', kind: 'physical', quantity: 1, unitPrice: 29900 },
    { sku: 'VIP-Y', name: 'VIP membership (1 year)', kind: 'subscription', quantity: 1, unitPrice: 19800, subscriptionDays: 365, usedDays: 0 },
  ],
  shippingFee: 1000,
  discount: 2000,
  paid: 48700,
  paymentMethod: 'alipay',
};
const none = { emails: [], phones: [], phoneTails: [] };

describe('provesOwnership', () => {
  it.each([
    [{ ...none, emails: ['lilei@example.com'] }, true],
    [{ ...none, emails: ['other@example.com'] }, false],
    [{ ...none, phoneTails: ['1234'] }, true],
    [{ ...none, phoneTails: ['4321'] }, false],
    [{ ...none, phones: ['138 0000 1234'] }, true],
    [{ ...none, phones: ['+86 138 0000 1234'] }, true],
    [{ ...none, phoneTails: ['234'] }, false],
    [none, false],
  ])('%j → %s', (given, expected) => {
    expect(provesOwnership(order, given)).toBe(expected);
  });
});

describe('chooseItems', () => {
  it.each([
    ['the headphones stopped working', { kind: 'items', skus: ['HP-200'] }],
    ['VIP-Y', { kind: 'items', skus: ['VIP-Y'] }],
    ['my membership', { kind: 'items', skus: ['VIP-Y'] }],
    ['all of it', { kind: 'all' }],
    ['整单退', { kind: 'all' }],
    ['something', { kind: 'none' }],
  ])('%s', (text, expected) => {
    expect(chooseItems(order, text, { byIndex: false })).toEqual(expected);
  });
  it('answers "which item?" by position only when asked', () => {
    expect(chooseItems(order, '2', { byIndex: true })).toEqual({ kind: 'items', skus: ['VIP-Y'] });
    expect(chooseItems(order, '2', { byIndex: false })).toEqual({ kind: 'none' });
    expect(chooseItems(order, '3', { byIndex: true })).toEqual({ kind: 'none' });
  });
});
