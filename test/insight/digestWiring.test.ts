import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../src/insight/format.ts';
import { Customer } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { type SlackStandIn, startSlackStandIn, validateBlocks } from '../support/slackStandIn.ts';

/**
 * The digest as the server wires it: real cases in the store, `computeStats` over them, the
 * Slack desk's client, the agent channel. A refund on Wednesday shows in Monday's digest.
 */

const CHANNEL = 'C0AGENTS01';
let slack: SlackStandIn;
let server: TestServer;

beforeAll(async () => {
  slack = await startSlackStandIn();
  // Wednesday 18 November 2026, noon in Shanghai.
  server = await startServer({ now: '2026-11-18T04:00:00Z', env: { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: 'digest-test-signing-secret', SLACK_AGENT_CHANNEL: CHANNEL, SLACK_API_URL: slack.url, PUBLIC_URL: 'https://refunds.example' } });
});
afterAll(async () => {
  await server?.close();
  await slack?.close();
});

describe('the weekly digest in the running server', () => {
  it('posts Monday’s digest of last week’s real cases to the agent channel', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const { summary } = await driveRefund(customer, 'en', 'The speaker from order 100102 is broken, it does not turn on. hanmeimei@example.com', { evidence: 'photo', category: 'defective' });
    expect(summary.status).toBe('approved');

    const digest = server.app.weeklyDigest!;
    expect(digest.scheduler.nextDue?.toISOString()).toBe('2026-11-23T01:00:00.000Z');
    // Monday 09:30 in Shanghai; restarting the scheduler is what a restart at that hour does.
    server.clock.set('2026-11-23T01:30:00Z');
    digest.scheduler.stop();
    digest.start();
    await digest.idle();

    const posts = slack.succeeded('chat.postMessage').filter((call) => call.params.channel === CHANNEL && String(call.params.text).startsWith('Refunds last week'));
    expect(posts).toHaveLength(1);
    const blocks = posts[0]!.params.blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    expect(validateBlocks(blocks)).toBeUndefined();
    expect(blocks[0]!.text!.text).toBe('Refunds last week: 16–22 Nov 2026');
    expect(blocks[1]!.fields![0]!.text).toBe('*Refund cases*\n1  new (0 last week)');
    expect(blocks[1]!.fields![1]!.text).toBe(`*Approved*\n${formatMoney(Math.round(summary.amount * 100), summary.currency)} new`);
    expect(blocks[2]!.text!.text).toBe('*Biggest changes by reason*\n• *Defective*: 0 → 1 (new)');
    expect(JSON.stringify(blocks)).toContain('<https://refunds.example/agent/insight?from=2026-11-16&to=2026-11-22|Open the dashboard>');
    expect(posts[0]!.params.text).toMatch(/^Refunds last week \(16–22 Nov 2026\): 1 case \(new\)/);
    expect(digest.scheduler.nextDue?.toISOString()).toBe('2026-11-30T01:00:00.000Z');
  });
});
