import { describe, expect, it } from 'vitest';
import { createChineseScript } from '../../src/understanding/chinese.ts';
import { createFeatureExtractor } from '../../src/understanding/features.ts';
import { foldText } from '../../src/understanding/normalize.ts';
import { createTypoFixer, editDistance } from '../../src/understanding/typos.ts';

const script = createChineseScript();
const features = createFeatureExtractor();
const of = (text: string) => features(foldText(text, script));

describe('editDistance', () => {
  it.each([
    ['refund', 'refund', 0],
    ['refnud', 'refund', 1], // a swap is one edit
    ['refnd', 'refund', 1],
    ['reimbursment', 'reimbursement', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%s ↔ %s = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('createTypoFixer', () => {
  const fix = createTypoFixer(['refund', 'reimbursement', 'status', 'check', 'process']);
  it.each([
    ['refnud', 'refund'],
    ['stauts', 'status'],
    ['reimbursmnet', 'reimbursement'],
    ['chek', 'check'],
  ])('repairs %s to %s', (typo, word) => {
    expect(fix(typo)).toBe(word);
  });
  it.each(['progress', 'proceed', 'stat', 'cheap', 'hello'])('leaves %s alone', (word) => {
    expect(fix(word)).toBe(word);
  });
});

describe('features', () => {
  it('gives Traditional and Simplified Chinese the same features', () => {
    expect(of('我沒收到貨，東西壞了')).toEqual(of('我没收到货，东西坏了'));
    expect(of('我沒收到貨')).toEqual(expect.arrayContaining(['收到', '没收', '到货']));
  });

  it('stems, repairs typos, folds synonyms and spells out negation', () => {
    const words = of("I didn't get my reimbursment, my refunds were refnud?");
    expect(words).toEqual(expect.arrayContaining(['did', 'not', 'did_not', 'refund']));
    expect(words).not.toContain('reimbursment');
    expect(words).not.toContain('refnud');
  });

  it('turns numbers into shapes and emails into one token', () => {
    expect(of('order 100234 and lilei@example.com, 2 items')).toEqual(
      expect.arrayContaining(['order', '#id', 'order_#id', '#email', '#num']),
    );
    expect(of('订单１００２３４没到')).toEqual(expect.arrayContaining(['订单', '#id']));
  });
});
