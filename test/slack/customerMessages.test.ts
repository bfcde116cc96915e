import { describe, expect, it } from 'vitest';
import type { PublicActivity } from '../../src/bot/publicActivity.ts';
import { decodeAddress, encodeAddress } from '../../src/channels/slack-customer/address.ts';
import { CHOICE_ACTION, conversationOfChoices, customerReply, withChoiceMade } from '../../src/channels/slack-customer/messages.ts';
import { DESK_ACTIONS } from '../../src/channels/slack-desk/actions.ts';
import { validateBlocks } from '../support/slackStandIn.ts';

const options = {
  conversationId: 'slack-0123456789abcdef0123456789abcdef',
  evidenceUrl: (id: string) => `https://shop.example/v1/evidence/${id}?expires=1&signature=s`,
  agentLabel: (name: string) => `${name} (support)`,
};
const bot = (fields: Partial<PublicActivity>): PublicActivity => ({ type: 'message', from: { role: 'bot' }, ...fields });

describe('answers as Slack messages', () => {
  it('escapes the text, so nothing the conversation says becomes a mention or a link', () => {
    const message = customerReply(bot({ text: 'Refund <!channel> & <https://evil.example|click> > 5' }), options);
    expect(message?.text).toBe('Refund &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; &gt; 5');
    expect(message?.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: message?.text } }]);
  });

  it('turns suggested actions into buttons of its own namespace, within Slack’s limits', () => {
    const long = 'x'.repeat(100);
    const actions = [{ type: 'imBack' as const, title: 'Yes', value: 'Yes' }, { type: 'imBack' as const, title: long, value: long }, { type: 'imBack' as const, title: 'huge', value: 'v'.repeat(2001) }];
    const message = customerReply(bot({ text: 'Shall I go ahead?', suggestedActions: { actions } }), options);
    const block = message?.blocks.at(-1) as { type: string; block_id: string; elements: { action_id: string; text: { text: string }; value: string }[] };
    expect(block.type).toBe('actions');
    expect(conversationOfChoices(block.block_id)).toBe(options.conversationId);
    expect(block.elements.map((button) => button.action_id)).toEqual(['customer_choice_0', 'customer_choice_1']);
    expect(block.elements.every((button) => CHOICE_ACTION.test(button.action_id))).toBe(true);
    expect(Object.values(DESK_ACTIONS).some((id) => CHOICE_ACTION.test(id))).toBe(false);
    expect(block.elements[1]?.text.text).toHaveLength(75);
    expect(block.elements[1]?.value).toBe(long);
    expect(validateBlocks(message?.blocks)).toBeUndefined();
  });

  it('splits a long answer into sections Slack accepts, never cutting an escape', () => {
    const message = customerReply(bot({ text: `${'a'.repeat(2999)}&${'b'.repeat(4000)}` }), options);
    const texts = (message?.blocks ?? []).map((block) => (block as { text: { text: string } }).text.text);
    expect(texts.length).toBe(3);
    expect(texts[0]).toBe('a'.repeat(2999));
    expect(texts[1]?.startsWith('&amp;')).toBe(true);
    expect(texts.join('')).toBe(`${'a'.repeat(2999)}&amp;${'b'.repeat(4000)}`);
    expect(validateBlocks(message?.blocks)).toBeUndefined();
  });

  it('names the agent above what they wrote, and links their files', () => {
    const reply: PublicActivity = { type: 'message', from: { role: 'agent', name: 'Wang <3' }, text: 'Here you go', locale: 'en', attachments: [{ contentType: 'image/png', name: 'label|1.png', evidenceId: 'a'.repeat(64) }] };
    const message = customerReply(reply, options);
    expect(message?.blocks[0]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '*Wang &lt;3 (support)*' }] });
    expect(message?.blocks[2]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: `:paperclip: <${options.evidenceUrl('a'.repeat(64))}|label¦1.png>` } });
    expect(message?.text).toBe('Wang &lt;3 (support): Here you go');
  });

  it('has nothing to post for an empty answer', () => {
    expect(customerReply(bot({ text: '  ' }), options)).toBeUndefined();
  });

  it('replaces the buttons with the choice made, leaving the rest', () => {
    const blocks = [{ type: 'section', block_id: 's', text: { type: 'mrkdwn', text: 'Shall I?' } }, { type: 'actions', block_id: 'customer_choices:c1', elements: [] }];
    expect(withChoiceMade(blocks, 'customer_choices:c1', 'Yes & go')).toEqual([blocks[0], { type: 'context', elements: [{ type: 'mrkdwn', text: '✓ Yes &amp; go' }] }]);
    expect(conversationOfChoices('desk_actions')).toBeUndefined();
  });
});

describe('where a Slack conversation is answered', () => {
  it('round-trips a DM and a thread, and refuses anything else', () => {
    const dm = { team: 'T0001TEAM', user: 'U0CUST0001', channel: 'D0CUST0001' };
    const thread = { ...dm, channel: 'C0SHOP0001', threadTs: '1760000300.000001' };
    expect(encodeAddress(dm)).toBe('T0001TEAM/U0CUST0001/D0CUST0001');
    expect(decodeAddress(encodeAddress(dm))).toEqual(dm);
    expect(decodeAddress(encodeAddress(thread))).toEqual(thread);
    for (const bad of ['', 'oUser123', 'T1/U1', 'T1/U1/C1/notats', 'T1/U1/C1/1.2/extra', 't1/u1/c1', 'T1/U1/C1/../x']) expect(decodeAddress(bad)).toBeUndefined();
  });
});
