/**
 * Slack's message text format ("mrkdwn") both ways. Slack asks apps to escape exactly three
 * characters in text they send, and sends them escaped in what users write; `<…>` marks links,
 * mentions and dates. https://docs.slack.dev/messaging/formatting-message-text#escaping
 */

/** Escapes text for a mrkdwn field, so a customer's `<!channel>` or `<http://x|y>` stays literal text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link `<url|label>`; the label may not contain `|` or `>` (Slack ends the link there). */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Cuts text to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * What a Slack user typed, as plain text for a customer on another channel: links become their
 * label and address, mentions a readable name, and the three escaped characters come back.
 * https://docs.slack.dev/messaging/formatting-message-text#retrieving-messages
 */
export function slackTextToPlain(text: string): string {
  const plain = text.replace(/<([^<>]*)>/g, (_match, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@') || target.startsWith('#')) return label ? `${target[0]}${label}` : target[0] === '@' ? '@someone' : '#channel';
    if (target.startsWith('!')) return label ?? `@${target.slice(1).split('^')[0]}`;
    if (target.startsWith('mailto:')) return label ?? target.slice('mailto:'.length);
    return label && label !== target ? `${label} (${target})` : target;
  });
  return plain.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
}
