import { LOCALES } from '../../domain/locale.ts';
import { ConflictError } from '../../errors.ts';
import type { ConversationRecord, ConversationStore } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { date, oneOf, parseRecord, text } from './records.ts';
import { optionalStringReply } from './replies.ts';

/**
 * Conversations as JSON strings that expire `ttlMs` after their last activity: created with
 * that TTL here, and refreshed by every transcript append and turn commit.
 */
export class RedisConversationStore implements ConversationStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;

  constructor(options: { link: RedisLink; keys: RedisKeys; ttlMs: number }) {
    this.#link = options.link;
    this.#keys = options.keys;
    this.#ttlMs = options.ttlMs;
  }

  /** Throws `ConflictError` `conversation_exists` rather than replacing another conversation. */
  async create(record: ConversationRecord): Promise<void> {
    const json = JSON.stringify({
      id: record.id,
      tokenHash: record.tokenHash,
      channel: record.channel,
      locale: record.locale,
      createdAt: record.createdAt.getTime(),
      ...(record.externalId === undefined ? {} : { externalId: record.externalId }),
    });
    // SET NX PX: create-if-absent and its TTL in one atomic command.
    const reply = await this.#link.command(['SET', this.#keys.conversation(record.id), json, 'NX', 'PX', String(this.#ttlMs)]);
    if (reply === null) throw new ConflictError('conversation_exists', `Conversation ${record.id} already exists`);
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const json = optionalStringReply(await this.#link.command(['GET', this.#keys.conversation(id)]), 'GET conversation');
    if (json === undefined) return undefined;
    const what = `Conversation ${id}`;
    const stored = parseRecord(json, what);
    return {
      id: text(stored, 'id', what),
      tokenHash: text(stored, 'tokenHash', what),
      channel: text(stored, 'channel', what),
      locale: oneOf(stored, 'locale', LOCALES, what),
      createdAt: date(stored, 'createdAt', what),
      ...(typeof stored.externalId === 'string' ? { externalId: stored.externalId } : {}),
    };
  }
}
