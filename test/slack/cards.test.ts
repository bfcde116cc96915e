import type { Button, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { ButtonValue, DESK_ACTIONS, decodeButtonValue, PartialButtonValue } from '../../src/channels/slack-desk/actions.ts';
import { availableActions, caseCard, customerMessage } from '../../src/channels/slack-desk/cards.ts';
import type { DeskView } from '../../src/handoff/types.ts';
import { validateBlocks } from '../support/slackStandIn.ts';
import { deskView, evidenceUrl, handoff, refundCase } from './fixtures.ts';

const card = (view: DeskView) => caseCard(view, { evidenceUrl });
/** Every piece of text in the blocks, for "does the card say X" checks. */
const textOf = (blocks: KnownBlock[]) => JSON.stringify(blocks);
const buttons = (blocks: KnownBlock[]): Button[] => blocks.flatMap((block) => (block.type === 'actions' ? (block.elements as Button[]) : []));

describe('case card', () => {
  it('shows the whole story: customer, channel, order, items, paid, category, words, evidence, proposal, risk, holder, transcript', () => {
    const { text, blocks } = card(deskView());
    const all = textOf(blocks);
    expect(text).toBe('Refund case RC-7K2M9Q · order 100234 — waiting for an agent');
    for (const expected of [
      'l***@example.com',
      '*Channel*\\napi',
      '100234',
      '¥487.00',
      'defective',
      'Wireless headphones (HP-200) ×1 — ¥299.00',
      'The left earbud stopped working after two days.',
      '<https://shop.example/agent/evidence/',
      '|earbud.jpg>',
      'Assistant proposes',
      'Full refund — ¥287.00 (at most ¥287.00)',
      'R-2.1, R-5.3',
      ':warning: repeat refunder',
      'Waiting for an agent',
      'needs human review',
      'Which item is it about?',
    ]) {
      expect(all).toContain(expected);
    }
    // Only the claimed item is listed, not the whole order.
    expect(all).not.toContain('VIP membership');
  });

  it('offers every action while the conversation waits for an agent, with the conversation id in each value', () => {
    const elements = buttons(card(deskView()).blocks);
    expect(elements.map((element) => element.action_id)).toEqual([
      DESK_ACTIONS.takeOver,
      DESK_ACTIONS.approve,
      DESK_ACTIONS.approvePartial,
      DESK_ACTIONS.deny,
      DESK_ACTIONS.handBack,
    ]);
    for (const element of elements) expect(decodeButtonValue(ButtonValue, element.value)).toMatchObject({ conversationId: 'conv-1' });
    const partial = elements.find((element) => element.action_id === DESK_ACTIONS.approvePartial);
    expect(decodeButtonValue(PartialButtonValue, partial?.value)).toEqual({ conversationId: 'conv-1', currency: 'CNY', max: 28_700, proposed: 28_700 });
    // Approving money asks for a confirmation click.
    expect(elements.find((element) => element.action_id === DESK_ACTIONS.approve)?.confirm).toBeDefined();
  });

  it('hides Take over once an agent holds the conversation, and says who', () => {
    const view = deskView({ handoff: handoff({ agent: { id: 'U0AGENT01', name: 'Wang Fang', via: 'slack' } }) });
    const { text, blocks } = card(view);
    expect(text).toContain('held by Wang Fang');
    expect(textOf(blocks)).toContain('Held by *Wang Fang*');
    expect(availableActions(view)).toEqual([DESK_ACTIONS.approve, DESK_ACTIONS.approvePartial, DESK_ACTIONS.deny, DESK_ACTIONS.handBack]);
  });

  it('shows the final decision and drops the decision buttons once the case is decided', () => {
    const view = deskView({
      handoff: handoff({ agent: { id: 'U0AGENT01', name: 'Wang Fang', via: 'slack' } }),
      refundCase: refundCase({ status: 'approved', decision: { ...refundCase().decision, outcome: 'partial', amount: 15_000 } }),
    });
    const { text, blocks } = card(view);
    expect(text).toContain('approved ¥150.00');
    expect(textOf(blocks)).toContain(':white_check_mark: *Approved* ¥150.00');
    expect(textOf(blocks)).toContain('*Decision*');
    expect(availableActions(view)).toEqual([DESK_ACTIONS.handBack]);
  });

  it('has no buttons at all once the conversation is back with the assistant', () => {
    const view = deskView({ handoff: undefined, refundCase: refundCase({ status: 'denied' }) });
    const { blocks } = card(view);
    expect(buttons(blocks)).toEqual([]);
    expect(textOf(blocks)).toContain('Back with the assistant');
    expect(textOf(blocks)).toContain(':no_entry_sign: *Denied*');
  });

  it('offers no approval when there is no amount to approve, and no partial without a maximum', () => {
    const review = deskView({ refundCase: refundCase({ decision: { ...refundCase().decision, outcome: 'review', amount: 0 } }), maxRefund: undefined });
    expect(availableActions(review)).toEqual([DESK_ACTIONS.takeOver, DESK_ACTIONS.deny, DESK_ACTIONS.handBack]);
    expect(textOf(card(review).blocks)).toContain('Human review — amount to decide');
  });

  it('works for a customer who asked for a person without any case or order', () => {
    const view = deskView({ refundCase: undefined, order: undefined, contact: undefined, maxRefund: undefined, evidence: [], handoff: handoff({ reason: 'customer_request', caseId: undefined }) });
    const { text, blocks } = card(view);
    expect(text).toBe('Customer asks for a person — waiting for an agent');
    expect(availableActions(view)).toEqual([DESK_ACTIONS.takeOver, DESK_ACTIONS.handBack]);
    expect(validateBlocks(blocks)).toBeUndefined();
  });

  it('says why a conversation with an approved case is at the desk when the refund webhook keeps failing', () => {
    const view = deskView({ refundCase: refundCase({ status: 'approved' }), handoff: handoff({ reason: 'refund_delivery_failed' }) });
    const { blocks } = card(view);
    expect(textOf(blocks)).toContain("the shop's refund webhook keeps failing");
    expect(validateBlocks(blocks)).toBeUndefined();
  });

  it("escapes the customer's words and masks contact details Slack should not keep", () => {
    const view = deskView({
      refundCase: refundCase({ reasonText: '<!channel> call me on +86 138 0013 8000 & see <http://evil.example|this>' }),
      transcript: [{ type: 'message', from: { role: 'user' }, text: 'mail me at li.lei@example.com <@U123>' }],
    });
    const all = textOf(card(view).blocks);
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<http://evil.example');
    expect(all).not.toContain('138 0013 8000');
    expect(all).not.toContain('li.lei@example.com');
    expect(all).toContain('&lt;@U123&gt;');
  });

  it('keeps within Block Kit limits with a long transcript, showing the latest lines', () => {
    const long = 'x'.repeat(2000);
    const view = deskView({
      transcript: Array.from({ length: 30 }, (_, index) => ({ type: 'message' as const, from: { role: index % 2 ? ('bot' as const) : ('user' as const) }, text: `${index} ${long}` })),
    });
    const { blocks } = card(view);
    expect(validateBlocks(blocks)).toBeUndefined();
    const all = textOf(blocks);
    // The last 10 lines are 20–29; the oldest of them give way to stay under 3,000 characters.
    expect(all).toContain(': 29 xxx');
    expect(all).not.toContain(': 20 xxx');
    expect(all).not.toContain(': 19 xxx');
  });

  it('names the agent on agent lines and links attachments', () => {
    const view = deskView({
      transcript: [
        { type: 'message', from: { role: 'agent', name: 'Wang Fang' }, text: 'Looking at it now.' },
        { type: 'message', from: { role: 'user' }, attachments: [{ contentType: 'application/pdf', name: 'receipt.pdf', evidenceId: 'b'.repeat(64) }] },
      ],
    });
    const all = textOf(card(view).blocks);
    expect(all).toContain('*Agent Wang Fang*: Looking at it now.');
    expect(all).toContain(`<https://shop.example/agent/evidence/${'b'.repeat(64)}?sig=abc&exp=1|receipt.pdf>`);
  });

  it("says when the shop's order API is down: order details unavailable, the reason on the status line", () => {
    const view = deskView({ order: undefined, orderUnavailable: true, maxRefund: undefined, contact: undefined, handoff: handoff({ reason: 'orders_unavailable' }) });
    const { blocks } = card(view);
    expect(validateBlocks(blocks)).toBeUndefined();
    const all = textOf(blocks);
    expect(all).toContain('*Paid*\\n_unavailable_');
    expect(all).toContain('Order details unavailable');
    expect(all).toContain("the shop's order API failed");
    expect(all).not.toContain('Claimed items');
  });
});

describe('customer message in the thread', () => {
  it('carries the text and the proof files as links', () => {
    const { text } = customerMessage(
      { type: 'message', from: { role: 'user' }, text: 'Here is the photo <b>', attachments: [{ contentType: 'image/png', name: 'box.png', evidenceId: 'c'.repeat(64) }] },
      { evidenceUrl },
    );
    expect(text).toBe(`*Customer:* Here is the photo &lt;b&gt;\n:paperclip: <https://shop.example/agent/evidence/${'c'.repeat(64)}?sig=abc&exp=1|box.png>`);
  });

  it('says so when a message has no text', () => {
    expect(customerMessage({ type: 'message', from: { role: 'user' } }, { evidenceUrl }).text).toBe('*Customer:* _(no text)_');
  });
});
