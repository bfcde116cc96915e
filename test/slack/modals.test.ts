import { describe, expect, it } from 'vitest';
import { DESK_VIEWS } from '../../src/channels/slack-desk/actions.ts';
import { AMOUNT_BLOCK, denyModal, INPUT_ACTION, partialApprovalModal, REASON_BLOCK, readDenyReason, readModalMetadata, readPartialAmount } from '../../src/channels/slack-desk/modals.ts';

const amount = (typed: string | null) => ({ [AMOUNT_BLOCK]: { [INPUT_ACTION]: { value: typed } } });
const cny = { conversationId: 'conv-1', channel: 'C0001DESK', currency: 'CNY', max: 28_700 };

describe('partial approval modal', () => {
  it('asks for the amount, prefilled with the proposal, and remembers the conversation', () => {
    const modal = partialApprovalModal({ ...cny, proposed: 15_000 });
    expect(modal.callback_id).toBe(DESK_VIEWS.approvePartial);
    expect(modal.submit).toBeDefined();
    const input = modal.blocks.find((block) => block.type === 'input');
    expect(input).toMatchObject({ block_id: AMOUNT_BLOCK, element: { action_id: INPUT_ACTION, initial_value: '150.00' } });
    expect(readModalMetadata(modal.private_metadata)).toEqual(cny);
    expect(JSON.stringify(modal.blocks)).toContain('¥287.00');
  });

  it('leaves the field empty when the proposal is nothing or more than allowed', () => {
    for (const proposed of [0, 99_999]) {
      const input = partialApprovalModal({ ...cny, proposed }).blocks.find((block) => block.type === 'input');
      expect(JSON.stringify(input)).not.toContain('initial_value');
    }
  });

  it.each([
    ['150', 150],
    ['150.5', 150.5],
    ['150.50', 150.5],
    [' 1,50.00 ', 150],
    ['287.00', 287],
    ['0.01', 0.01],
  ])('accepts %j as %d', (typed, expected) => {
    expect(readPartialAmount(amount(typed), cny)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['287.01', 'At most ¥287.00'],
    ['1000', 'At most ¥287.00'],
    ['0', 'above zero'],
    ['0.00', 'above zero'],
    ['-5', 'like 120.00'],
    ['12.345', 'like 120.00'],
    ['abc', 'like 120.00'],
    ['', 'like 120.00'],
    [null, 'like 120.00'],
    ['1e3', 'like 120.00'],
  ])('refuses %j under the amount field', (typed, message) => {
    const result = readPartialAmount(amount(typed), cny);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[AMOUNT_BLOCK]).toContain(message);
  });

  it('follows the currency: no decimals for yen', () => {
    const jpy = { ...cny, currency: 'JPY', max: 5000 };
    expect(readPartialAmount(amount('4500'), jpy)).toEqual({ ok: true, value: 4500 });
    expect(readPartialAmount(amount('45.5'), jpy).ok).toBe(false);
  });

  it('refuses a modal opened without the figures (an old or forged one)', () => {
    expect(readPartialAmount(amount('10'), { conversationId: 'conv-1', channel: 'C1' }).ok).toBe(false);
    expect(readModalMetadata('{"conversationId":""}')).toBeUndefined();
    expect(readModalMetadata('not json')).toBeUndefined();
  });
});

describe('deny modal', () => {
  it('asks for the reason told to the customer', () => {
    const modal = denyModal({ conversationId: 'conv-1', channel: 'C0001DESK' });
    expect(modal.callback_id).toBe(DESK_VIEWS.deny);
    expect(modal.blocks[0]).toMatchObject({ type: 'input', block_id: REASON_BLOCK, element: { multiline: true } });
  });

  it('needs a reason', () => {
    const reason = (typed: string | null) => readDenyReason({ [REASON_BLOCK]: { [INPUT_ACTION]: { value: typed } } });
    expect(reason('  Outside the 30-day window.  ')).toEqual({ ok: true, value: 'Outside the 30-day window.' });
    expect(reason('   ').ok).toBe(false);
    expect(reason(null).ok).toBe(false);
    expect(reason('x'.repeat(1001)).ok).toBe(false);
  });
});
