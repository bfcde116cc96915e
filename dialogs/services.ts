import type { StatePropertyAccessor } from 'botbuilder';
import type { EvidenceRef } from '../src/domain/case.ts';
import type { PublicActivity } from '../src/bot/publicActivity.ts';
import type { Clock } from '../src/domain/clock.ts';
import type { Handoff } from '../src/handoff/types.ts';
import type { OrderDirectory } from '../src/domain/order.ts';
import type { Prompts } from '../src/i18n/prompts.ts';
import type { Logger } from '../src/log/logger.ts';
import type { CheckedAnswer } from '../src/llm/groundedAnswers.ts';
import type { PolicyAnswers } from '../src/policy/answers.ts';
import type { RefundDesk } from '../src/refunds/refundDesk.ts';
import type { Slot } from './turn.ts';

/** What a prompt asked, so it can be asked again (after an interruption) in the current language. */
export interface AskedPrompt {
  key: string;
  vars: Record<string, string | number>;
  awaiting?: Slot;
  actions?: { titleKey?: string; title?: string; value?: string }[];
}

/** Conversation-wide facts that outlive one dialog. */
export interface Profile {
  locale?: string;
  /** Orders whose ownership this conversation has proved (SPEC §5). */
  verifiedOrderIds: string[];
  /** The shop's customer id the channel vouches for (a signed customer token): their orders need no proof. */
  vouchedCustomerId?: string;
  /**
   * Wrong identity answers per order id in this conversation, whichever dialog asked; at
   * `settings.identityAttempts` the order is locked here, at 3× that over all orders every
   * unverified order is (identityGuard.ts).
   */
  identityFailures?: Record<string, number>;
  lastPrompt?: AskedPrompt;
  /** Set while the conversation is with people: waiting for an agent, or held by one. */
  handoff?: Handoff;
  /** The latest exchanges, for an understander that reads messages in context (kept only when one does). */
  recent?: { role: 'customer' | 'assistant'; text: string }[];
  /** The language model's latest one-line summary of what the customer wants (for agents). */
  summary?: string;
}

/** Tells the agent desk about the conversation (called after the turn commits). */
export interface DeskNotifier {
  /** The conversation was handed to people, taken, decided or handed back (`undefined`: back with the assistant). */
  handoffChanged(conversationId: string, handoff: Handoff | undefined): Promise<void>;
  /** The customer wrote while people handle the conversation. */
  customerSaid(conversationId: string, activity: PublicActivity): Promise<void>;
}

/** Settings the dialogs need, from the config. */
export interface DialogSettings {
  classifyThreshold: number;
  maxAttempts: number;
  handoffWaitMinutes: number;
  /** Wrong identity answers for one order before it is locked in the conversation; 0: never. */
  identityAttempts: number;
}

/** Everything the dialogs use, passed in one options object by the composition root. */
export interface DialogServices {
  orders: OrderDirectory;
  refunds: RefundDesk;
  policyAnswers: PolicyAnswers;
  /** Model-phrased policy answers checked against the clauses they cite (only with a language model). */
  groundedAnswers?: { answer(question: string, locale: import('../src/domain/locale.ts').Locale): Promise<CheckedAnswer | undefined> };
  prompts: Prompts;
  clock: Clock;
  settings: DialogSettings;
  profile: StatePropertyAccessor<Profile>;
  desk: DeskNotifier;
  logger: Logger;
}

export type { EvidenceRef };
