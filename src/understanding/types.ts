import type { Category, Intent } from '../domain/categories.ts';
import type { Locale } from '../domain/locale.ts';

/** Things a message names that the refund dialog can use as slots. */
export interface Entities {
  orderIds: string[];
  emails: string[];
  phones: string[];
  /** digits-only strings of 4 that could be a phone's last 4 */
  phoneTails: string[];
  money: { amount: number; currency?: string }[];
  caseIds: string[];
}

/** A label with the classifier's confidence in it, in [0, 1]. */
export interface Scored<T> {
  label: T;
  confidence: number;
}

/** A conversation command that works at any prompt, in any language. */
export type Command = 'cancel' | 'restart' | 'human' | 'help';

/** A yes/no answer. */
export type Affirmation = 'yes' | 'no';

/** Everything the understanding layer tells about one customer message. */
export interface Understanding {
  text: string;
  /** undefined when the text has no letters to tell (e.g. "100234", "👍") */
  language: Locale | undefined;
  /** For Chinese: whether the characters told Simplified from Traditional (not for "你好", written alike in both). */
  scriptTold: boolean;
  /** top intent */
  intent: Scored<Intent>;
  /** all intents, best first */
  intents: Scored<Intent>[];
  /** top reason category ('other' when none) */
  category: Scored<Category>;
  /** all categories, best first */
  categories: Scored<Category>[];
  entities: Entities;
  /** conversation commands recognised in any language: 'cancel' ("cancel", "stop", "never mind", "取消", "算了"), 'restart' ("start over", "重新开始", "重新開始"), 'human' ("talk to a person", "人工", "轉人工", "真人客服"), 'help' */
  command: Command | undefined;
  /** A one-line summary of what the customer wants, for agents (only when a language model helped). */
  summary?: string;
  /** The product the customer named (only when a language model helped). */
  item?: string;
  /** yes/no answers in any language ("yes", "yep", "是", "是的", "好", "對", "no", "不", "不是", "否") */
  affirmation: Affirmation | undefined;
}

/** The conversation so far, for an understander that reads messages in context (a language model). */
export interface UnderstandContext {
  /** The latest exchanges, oldest first (a few, each shortened). */
  recent: { role: 'customer' | 'assistant'; text: string }[];
}

/** Port: turns a customer message into an Understanding (offline models, optionally helped by a language model). */
export interface Understander {
  /** True when `understand` uses the conversation so far: the bot then keeps the last few exchanges. */
  readonly readsContext?: boolean;
  understand(text: string, context?: UnderstandContext): Promise<Understanding>;
}
