import { describe, expect, it } from 'vitest';
import { caseCard } from '../../src/channels/slack-desk/cards.ts';
import { validateBlocks } from '../support/slackStandIn.ts';
import { deskView, evidenceUrl, handoff } from '../slack/fixtures.ts';

describe('the Slack case card with the language model on', () => {
  it("carries the model's one-line summary, labelled, escaped and masked; without one there is no summary section", () => {
    const withSummary = caseCard(deskView({ handoff: handoff({ summary: 'Wants a refund: <left earbud> silent; wrote from li@example.com' }) }), { evidenceUrl });
    const text = JSON.stringify(withSummary.blocks);
    expect(text).toContain('*Summary* _(by the language model)_');
    expect(text).toContain('&lt;left earbud&gt; silent');
    expect(text).not.toContain('li@example.com');
    expect(validateBlocks(withSummary.blocks)).toBeUndefined();
    expect(JSON.stringify(caseCard(deskView(), { evidenceUrl }).blocks)).not.toContain('*Summary*');
  });
});
