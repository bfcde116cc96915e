import { describe, expect, it } from 'vitest';
import { combine, offlineIsEnough } from '../../src/llm/combine.ts';
import type { Extraction } from '../../src/llm/extraction.ts';
import { checkGrounding } from '../../src/llm/groundedAnswers.ts';
import { factsOf, keepIfFaithful } from '../../src/llm/phrasing.ts';
import { redact, redactAll, restore } from '../../src/llm/redact.ts';
import type { Understanding } from '../../src/understanding/types.ts';

const SETTINGS = { skipAbove: 0.85, trustAbove: 0.7 };

function offline(overrides: Partial<Understanding> = {}): Understanding {
  const intent = overrides.intent ?? { label: 'request_refund' as const, confidence: 0.5 };
  const category = overrides.category ?? { label: 'other' as const, confidence: 0.3 };
  return {
    text: 'my headphones only play on one side, order 100102',
    language: 'en',
    scriptTold: false,
    intent,
    intents: [intent],
    category,
    categories: [category],
    entities: { orderIds: ['100102'], emails: [], phones: [], phoneTails: [], money: [], caseIds: [] },
    command: undefined,
    affirmation: undefined,
    ...overrides,
  };
}

function extraction(overrides: Partial<Extraction> = {}): Extraction {
  return { intent: 'request_refund', intentConfidence: 0.9, category: 'defective', categoryConfidence: 0.9, orderId: null, item: 'headphones', email: null, phone: null, summary: 'Headphones play on one side only', ...overrides };
}

describe('when the model is asked at all', () => {
  it('skips it for commands, yes/no, bare entities and confident classifications', () => {
    expect(offlineIsEnough(offline({ command: 'cancel' }), SETTINGS)).toBe(true);
    expect(offlineIsEnough(offline({ affirmation: 'yes' }), SETTINGS)).toBe(true);
    expect(offlineIsEnough(offline({ text: '100102', language: undefined }), SETTINGS)).toBe(true);
    expect(offlineIsEnough(offline({ text: 'it is han@example.com', intent: { label: 'other', confidence: 0.2 }, entities: { orderIds: [], emails: ['han@example.com'], phones: [], phoneTails: [], money: [], caseIds: [] } }), SETTINGS)).toBe(true);
    expect(offlineIsEnough(offline({ intent: { label: 'request_refund', confidence: 0.95 }, category: { label: 'defective', confidence: 0.9 } }), SETTINGS)).toBe(true);
  });

  it('asks it when the intent, or a refund reason, is unsure', () => {
    expect(offlineIsEnough(offline(), SETTINGS)).toBe(false);
    expect(offlineIsEnough(offline({ intent: { label: 'request_refund', confidence: 0.95 }, category: { label: 'defective', confidence: 0.6 } }), SETTINGS)).toBe(false);
    expect(offlineIsEnough(offline({ intent: { label: 'policy_question', confidence: 0.95 } }), SETTINGS)).toBe(true);
    // 'other' is not knowing, whatever the score.
    expect(offlineIsEnough(offline({ intent: { label: 'other', confidence: 0.99 } }), SETTINGS)).toBe(false);
    expect(offlineIsEnough(offline({ intent: { label: 'request_refund', confidence: 0.99 }, category: { label: 'other', confidence: 0.99 } }), SETTINGS)).toBe(false);
  });
});

describe('the combination rule', () => {
  it('takes the model intent and reason when it is sure enough, the offline ones otherwise', () => {
    const sure = combine(offline(), extraction(), new Map(), SETTINGS);
    expect(sure.category).toEqual({ label: 'defective', confidence: 0.9 });
    expect(sure.categories[0]?.label).toBe('defective');
    const unsure = combine(offline(), extraction({ categoryConfidence: 0.6, intent: 'human_agent', intentConfidence: 0.5 }), new Map(), SETTINGS);
    expect(unsure.category).toEqual({ label: 'other', confidence: 0.3 });
    expect(unsure.intent.label).toBe('request_refund');
  });

  it('keeps offline entities, and takes a model entity only when the customer wrote it', () => {
    const base = offline({ text: 'the one I bought last week, number 77881 I think', entities: { orderIds: [], emails: [], phones: [], phoneTails: [], money: [], caseIds: [] } });
    expect(combine(base, extraction({ orderId: '77881' }), new Map(), SETTINGS).entities.orderIds).toEqual(['77881']);
    // Invented (or injected) numbers are not in the message: dropped.
    expect(combine(base, extraction({ orderId: '999999' }), new Map(), SETTINGS).entities.orderIds).toEqual([]);
    // The offline exact match wins over the model's.
    expect(combine(offline(), extraction({ orderId: '100103' }), new Map(), SETTINGS).entities.orderIds).toEqual(['100102']);
  });

  it('restores a placeholder the model copied, and keeps commands and language offline', () => {
    const text = 'write to me, Han.Mei@Example.com';
    const { originals } = redact(text);
    const base = offline({ text, entities: { orderIds: [], emails: [], phones: [], phoneTails: [], money: [], caseIds: [] }, command: 'human' });
    const combined = combine(base, extraction({ email: '[email 1]' }), originals, SETTINGS);
    expect(combined.entities.emails).toEqual(['han.mei@example.com']);
    expect(combined.command).toBe('human');
    expect(combined.language).toBe('en');
    expect(combined.summary).toBe('Headphones play on one side only');
  });
});

describe('redaction before text leaves for the model', () => {
  it('replaces emails, phones and card numbers, one numbering across messages', () => {
    const { texts, originals } = redactAll(['mail han@example.com or call 138-0000-0000', 'card 4111 1111 1111 1111, again han@example.com, order 100102']);
    expect(texts.join('\n')).not.toMatch(/han@example|138-0000|4111/);
    expect(texts[1]).toContain('[email 1]');
    expect(texts[1]).toContain('100102');
    expect(restore('[email 1] / [phone 1]', originals)).toBe('han@example.com / 138-0000-0000');
  });
});

describe('grounded policy answers', () => {
  const retrieved = [
    { id: 'R-2.1', text: 'You can ask for a refund within 30 days of delivery.' },
    { id: 'R-5.1', text: 'Change of mind: within 7 days, shipping not refunded.' },
  ];

  it('accepts an answer citing retrieved clauses with their numbers', () => {
    expect(checkGrounding({ answer: 'Faulty items can be refunded within 30 days of delivery (R-2.1).', clauses: ['R-2.1'] }, retrieved)).toEqual({ text: 'Faulty items can be refunded within 30 days of delivery (R-2.1).', clauses: ['R-2.1'] });
  });

  it('rejects no citation, a clause not retrieved, and a number the clauses do not state', () => {
    expect(checkGrounding({ answer: 'Within 30 days.', clauses: [] }, retrieved)).toBeUndefined();
    expect(checkGrounding({ answer: 'Within 30 days.', clauses: ['R-9.9'] }, retrieved)).toBeUndefined();
    expect(checkGrounding({ answer: 'You have 60 days.', clauses: ['R-2.1'] }, retrieved)).toBeUndefined();
    expect(checkGrounding({ answer: 'You have 7 days.', clauses: ['R-2.1'] }, retrieved)).toBeUndefined();
    expect(checkGrounding({ answer: '', clauses: ['R-2.1'] }, retrieved)).toBeUndefined();
  });
});

describe('rephrased replies keep every fact', () => {
  const original = 'Refund approved: ¥309.00 back to your Alipay account within 1-3 business days. Case RF-ABC123, policy R-2.1.';

  it('finds the facts', () => {
    expect(factsOf(original)).toEqual(['1-3', 'R-2.1', 'RF-ABC123', '¥309.00'].sort());
  });

  it('uses a faithful rephrasing, and keeps the original when a fact changed, went missing or was added', () => {
    const faithful = 'Good news, your refund of ¥309.00 is approved and reaches your Alipay account in 1-3 business days (case RF-ABC123, policy R-2.1).';
    expect(keepIfFaithful(original, faithful)).toBe(faithful);
    expect(keepIfFaithful(original, faithful.replace('¥309.00', '¥390.00'))).toBe(original);
    expect(keepIfFaithful(original, faithful.replace('¥309.00', '$309.00'))).toBe(original);
    expect(keepIfFaithful(original, faithful.replace(' (case RF-ABC123, policy R-2.1)', ''))).toBe(original);
    expect(keepIfFaithful(original, `${faithful} We add a ¥20 coupon.`)).toBe(original);
    expect(keepIfFaithful(original, '')).toBe(original);
  });
});
