import { describe, expect, it } from 'vitest';
import { categoryChanges, countChange, rateChange, ratingChange, weekLabel, weeklyDigest } from '../../src/insight/digest.ts';
import { validateBlocks } from '../support/slackStandIn.ts';
import { digestWeeks, emptyStats } from './fixtures.ts';

type Block = { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] };

const input = () => ({ ...digestWeeks(), days: { first: '2026-11-16', last: '2026-11-22' }, timeZone: 'Asia/Shanghai', dashboardUrl: 'https://refunds.example/agent/insight?from=2026-11-16&to=2026-11-22' });

describe('weekly digest message', () => {
  it('gives the week’s figures with their changes against the week before (hand-checked)', () => {
    const message = weeklyDigest(input());
    expect(validateBlocks(message.blocks)).toBeUndefined();
    const blocks = message.blocks as unknown as Block[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Refunds last week: 16–22 Nov 2026' } });
    expect(blocks[1]!.fields!.map((f) => f.text)).toEqual([
      '*Refund cases*\n40  ▲ 25% (32 last week)',
      '*Approved*\nCNY 5,600.00 ▲ 12%\nUSD 90.00 new\nJPY 0 ▼ 100%',
      '*Automation rate*\n75.0%  ▲ 5.0 pts (70.0% last week)',
      '*Escalation rate*\n10.0%  ▼ 2.5 pts (12.5% last week)',
      '*Satisfaction (CSAT)*\n4.4 / 5 · 25 ratings  ▼ 0.2 (4.6 / 5 last week)',
      '*Median time to decision*\n2 min  (3 min last week)',
      '*Agent handling time*\n18 min median · 9 handled  (25 min last week)',
      '*Abandoned conversations*\n5 of 90  ▲ 25% (4 last week)',
    ]);
  });

  it('names the three reasons that changed most', () => {
    const blocks = weeklyDigest(input()).blocks as unknown as Block[];
    expect(blocks[2]!.text!.text).toBe(
      ['*Biggest changes by reason*', '• *Defective*: 12 → 20 (▲ 67%)', '• *Changed mind*: 6 → 0 (▼ 100%)', '• *Wrong item*: 0 → 5 (new)'].join('\n'),
    );
  });

  it('lists the most refunded products with escaped names, and links the dashboard', () => {
    const message = weeklyDigest(input());
    const blocks = message.blocks as unknown as Block[];
    expect(blocks[3]!.text!.text).toBe(
      [
        '*Most refunded products*',
        '• *SPK-200* Bluetooth speaker — 9 cases, mostly Defective (8) · CNY 2,070.00',
        '• *&lt;!channel&gt;* Scarf &amp; &lt;b&gt;bold&lt;/b&gt; — 1 case, mostly Wrong item (1) · USD 90.00',
      ].join('\n'),
    );
    expect(JSON.stringify(message)).not.toContain('<!channel>');
    expect(blocks[4]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'All channels · Monday to Sunday, Asia/Shanghai time · <https://refunds.example/agent/insight?from=2026-11-16&to=2026-11-22|Open the dashboard>' }],
    });
    expect(message.text).toBe('Refunds last week (16–22 Nov 2026): 40 cases (▲ 25%), automation 75.0%, escalation 10.0%, CSAT 4.4 / 5.');
  });

  it('stays valid for an empty week after an empty week', () => {
    const week = emptyStats('2026-11-15T16:00:00.000Z', '2026-11-22T16:00:00.000Z');
    const previous = emptyStats('2026-11-08T16:00:00.000Z', '2026-11-15T16:00:00.000Z');
    const message = weeklyDigest({ week, previous, days: { first: '2026-11-16', last: '2026-11-22' }, timeZone: 'Asia/Shanghai' });
    expect(validateBlocks(message.blocks)).toBeUndefined();
    const blocks = message.blocks as unknown as Block[];
    expect(blocks[1]!.fields![0]!.text).toBe('*Refund cases*\n0  ＝ (0 last week)');
    expect(blocks[1]!.fields![2]!.text).toBe('*Automation rate*\n—  (— last week)');
    expect(blocks[2]!.text!.text).toContain('No reason changed against last week.');
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(message.text).toBe('Refunds last week (16–22 Nov 2026): 0 cases (＝), automation —, escalation —.');
  });
});

describe('changes', () => {
  it.each([
    [40, 32, '▲ 25%'],
    [20, 12, '▲ 67%'],
    [0, 6, '▼ 100%'],
    [5, 0, 'new'],
    [7, 7, '＝'],
    [1001, 1000, '▲ <1%'],
    [3, 4, '▼ 25%'],
  ])('count %d against %d: %s', (now, before, expected) => {
    expect(countChange(now, before)).toBe(expected);
  });

  it('writes rates in percentage points and the CSAT in rating points', () => {
    expect(rateChange(0.75, 0.7)).toBe('▲ 5.0 pts');
    expect(rateChange(0.1, 0.125)).toBe('▼ 2.5 pts');
    expect(rateChange(0.5, 0.5)).toBe('＝');
    expect(rateChange(null, 0.5)).toBe('');
    expect(ratingChange(4.4, 4.6)).toBe('▼ 0.2');
    expect(ratingChange(4.0, 3.25)).toBe('▲ 0.8');
    expect(ratingChange(4.0, null)).toBe('');
  });

  it('ranks reason changes by size, then by this week’s count', () => {
    const { week, previous } = digestWeeks();
    expect(categoryChanges(week, previous, 5).map((c) => [c.category, c.before, c.now])).toEqual([
      ['defective', 12, 20],
      ['changed_mind', 6, 0],
      ['wrong_item', 0, 5],
      ['not_as_described', 9, 10],
    ]);
  });

  it('labels weeks within a month, across months and across years', () => {
    expect(weekLabel('2026-11-16', '2026-11-22')).toBe('16–22 Nov 2026');
    expect(weekLabel('2026-11-30', '2026-12-06')).toBe('30 Nov – 6 Dec 2026');
    expect(weekLabel('2025-12-29', '2026-01-04')).toBe('29 Dec 2025 – 4 Jan 2026');
  });
});
