import path from 'node:path';
import { expect } from 'vitest';
import type { Locale } from '../../src/domain/locale.ts';
import { loadPrompts } from '../../src/i18n/prompts.ts';
import { type Attachment, announcedCase, awaiting, type BotActivity, type CaseSummary, type Customer, jpegAttachment } from './client.ts';
import { ROOT } from './server.ts';

export const prompts = loadPrompts(path.join(ROOT, 'prompts'));

/** How a scripted customer answers each question the assistant may ask. */
export interface Answers {
  orderId?: string;
  identity?: string;
  item?: string;
  reason?: string;
  /** Category id whose button to tap if the assistant asks to clarify. */
  category?: string;
  evidence?: 'photo' | 'none';
  confirm?: 'yes' | 'no';
}

export interface RefundRun {
  summary: CaseSummary;
  /** Assistant turns (messages the customer sent) until the decision. */
  turns: number;
  replies: BotActivity[];
}

/**
 * Holds a refund conversation: sends `opener`, then answers whatever the assistant asks from
 * `answers` (failing on a question the script has no answer for) until a decision is announced.
 */
export async function driveRefund(customer: Customer, locale: Locale, opener: string | { text?: string; attachments?: Attachment[] }, answers: Answers, maxTurns = 10): Promise<RefundRun> {
  const first = typeof opener === 'string' ? { text: opener } : opener;
  let replies = await customer.say(first.text, first.attachments);
  const all = [...replies];
  let turns = 1;
  while (!announcedCase(replies)) {
    const slot = awaiting(replies);
    const last = replies.at(-1)?.text;
    if (turns >= maxTurns) throw new Error(`no decision after ${turns} turns; last: ${last}`);
    const send = (text?: string, attachments?: Attachment[]) => customer.say(text, attachments);
    switch (slot) {
      case 'evidence':
        if (!answers.evidence) throw new Error(`unexpected evidence question: ${last}`);
        replies = answers.evidence === 'photo' ? await send(undefined, [jpegAttachment()]) : await send(prompts.t(locale, 'action.noProof'));
        break;
      case 'category': {
        if (!answers.category) throw new Error(`unexpected clarifying question: ${last}`);
        replies = await send(prompts.t(locale, `category.${answers.category}`));
        break;
      }
      case 'confirm':
        replies = await send(prompts.t(locale, answers.confirm === 'no' ? 'action.no' : 'action.yes'));
        break;
      case 'orderId':
      case 'identity':
      case 'item':
      case 'reason': {
        const answer = answers[slot];
        if (answer === undefined) throw new Error(`unexpected ${slot} question: ${last}`);
        replies = await send(answer);
        break;
      }
      default:
        throw new Error(`assistant asked nothing the script can answer (awaiting ${slot}): ${last}`);
    }
    all.push(...replies);
    turns += 1;
  }
  for (const reply of all) expect(reply.locale).toBe(locale);
  return { summary: announcedCase(replies) as CaseSummary, turns, replies: all };
}
