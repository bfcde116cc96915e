import { describe, expect, it } from 'vitest';
import type { Order } from '../../src/domain/order.ts';
import { provesOwnership } from '../../src/refunds/identity.ts';
import { chooseItems } from '../../src/refunds/items.ts';
import { specOrder } from '../support/orders.ts';

const order: Order = specOrder({ customer: { id: 'c-17', name: 'Li Lei', email: 'LiLei@Example.com', phone: '+8613800001234' } });
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
