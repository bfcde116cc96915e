import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, mrkdwnLink, slackTextToPlain, truncate } from '../../src/channels/slack-desk/mrkdwn.ts';

describe('mrkdwn', () => {
  it('escapes the three characters Slack reserves', () => {
    expect(escapeMrkdwn('a < b & c > d <!here>')).toBe('a &lt; b &amp; c &gt; d &lt;!here&gt;');
  });

  it('builds links whose label cannot end the link early', () => {
    expect(mrkdwnLink('https://x.example/f?a=1&b=2', 'a|b>c.jpg')).toBe('<https://x.example/f?a=1&b=2|a¦b&gt;c.jpg>');
  });

  it('truncates by characters, marking the cut', () => {
    expect(truncate('你好世界', 3)).toBe('你好…');
    expect(truncate('short', 10)).toBe('short');
  });

  it.each([
    ['We refunded &lt;¥100&gt; &amp; more', 'We refunded <¥100> & more'],
    ['See <https://shop.example/policy|our policy>', 'See our policy (https://shop.example/policy)'],
    ['See <https://shop.example/policy>', 'See https://shop.example/policy'],
    ['Ask <@U0AGENT02|wang> or <#C0001DESK|refunds>', 'Ask @wang or #refunds'],
    ['Ask <@U0AGENT02>', 'Ask @someone'],
    ['Mail <mailto:help@shop.example|help@shop.example>', 'Mail help@shop.example'],
    ['<!here> hi', '@here hi'],
    ['  spaced  ', 'spaced'],
  ])('turns Slack text %j into plain %j for the customer', (slack, plain) => {
    expect(slackTextToPlain(slack)).toBe(plain);
  });
});
