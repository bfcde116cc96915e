import type { FastifyPluginAsync } from 'fastify';
import type { ConversationGateway } from '../../bot/conversationGateway.ts';
import type { PublicActivity } from '../../bot/publicActivity.ts';
import { InProcessTurnSerializer } from '../../concurrency/keyedQueue.ts';
import type { Locale } from '../../domain/locale.ts';
import type { Logger } from '../../log/logger.ts';
import type { ConversationRecord, IdempotencyStore, SharedValueStore } from '../../stores/ports.ts';
import type { WeChatApi } from './api.ts';
import { sameSignature, WeChatCipher, wechatSignature } from './crypto.ts';
import { parseWeChatXml, type WeChatPush } from './xml.ts';

export const WECHAT_CHANNEL = 'wechat';
/** WeChat retries a push three times over about 15 seconds; ten minutes covers it with room. */
const DEDUPE_TTL_MS = 10 * 60 * 1000;
/** Customer-service messages may be sent for 48 hours after the customer's last message; choices live as long. */
const CHOICES_TTL_MS = 48 * 60 * 60 * 1000;
/** The customer-service API takes at most 2048 bytes of text per message; we stay below in characters. */
const MAX_TEXT = 600;

export interface WeChatChannelOptions {
  gateway: ConversationGateway;
  idempotency: IdempotencyStore;
  /** Where the numbered choices last shown to each customer are kept, for every instance. */
  values: SharedValueStore;
  api: WeChatApi;
  token: string;
  appId: string;
  /** The current EncodingAESKey, then the previous one (safe mode); none: plaintext mode only. */
  encodingAesKeys: string[];
  logger: Logger;
  /** Language of a new WeChat conversation until the customer writes in another. */
  locale?: Locale;
  path?: string;
}

/**
 * The WeChat Official Account channel: transport only. Verifies WeChat's signatures, decrypts
 * safe-mode pushes, answers `success` at once and runs the message as a turn afterwards (WeChat
 * gives up on a reply after 5 seconds and retries), sends replies through the customer-service
 * API. https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
 *
 * Nothing is kept in the process: the OpenID is the conversation's `externalId` and the choices
 * last shown are in the shared value store, so any instance answers any customer.
 */
export class WeChatChannel {
  readonly #options: WeChatChannelOptions;
  readonly #cipher: WeChatCipher | undefined;
  readonly #queue = new InProcessTurnSerializer();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: WeChatChannelOptions) {
    this.#options = options;
    this.#cipher = options.encodingAesKeys.length > 0 ? new WeChatCipher({ appId: options.appId, encodingAesKeys: options.encodingAesKeys }) : undefined;
    options.gateway.registerSender(WECHAT_CHANNEL, (record, replies) => this.#sendReplies(record, replies));
  }

  /** Resolves when every accepted push has been processed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  routes(): FastifyPluginAsync {
    const path = this.#options.path ?? '/wechat';
    const logger = this.#options.logger;
    return async (app) => {
      // WeChat posts text/xml; the parser is encapsulated in this plugin.
      app.addContentTypeParser(['text/xml', 'application/xml', 'text/plain'], { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));

      // URL verification when the server address is saved in the WeChat console.
      // https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
      app.get(path, async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        const { timestamp = '', nonce = '', echostr = '' } = query;
        if (query.msg_signature && this.#cipher) {
          // Safe-mode verification (as WXBizMsgCrypt.VerifyURL): the echostr is encrypted and signed.
          if (!sameSignature(query.msg_signature, wechatSignature(this.#options.token, timestamp, nonce, echostr))) return refuse(reply);
          try {
            return reply.type('text/plain').send(this.#cipher.decrypt(echostr));
          } catch {
            return refuse(reply);
          }
        }
        if (!sameSignature(query.signature, wechatSignature(this.#options.token, timestamp, nonce))) return refuse(reply);
        return reply.type('text/plain').send(echostr);
      });

      app.post(path, async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        const { timestamp = '', nonce = '' } = query;
        const body = typeof request.body === 'string' ? request.body : '';
        const outer = parseWeChatXml(body);
        if (!outer) return reply.code(400).type('text/plain').send('malformed XML');
        let push: WeChatPush | undefined = outer;
        if (query.encrypt_type === 'aes') {
          if (!this.#cipher || !outer.Encrypt) return refuse(reply);
          if (!sameSignature(query.msg_signature, wechatSignature(this.#options.token, timestamp, nonce, outer.Encrypt))) return refuse(reply);
          try {
            push = parseWeChatXml(this.#cipher.decrypt(outer.Encrypt));
          } catch {
            logger.warn('wechat: a push did not decrypt with our keys');
            return refuse(reply);
          }
          if (!push) return reply.code(400).type('text/plain').send('malformed XML');
        } else if (!sameSignature(query.signature, wechatSignature(this.#options.token, timestamp, nonce))) {
          return refuse(reply);
        }
        if (!push.FromUserName || !push.MsgType) return reply.code(400).type('text/plain').send('not a WeChat message');
        // WeChat retries a push it had no answer to within 5 s; the first delivery wins.
        const key = push.MsgId ? `wechat:msg:${push.MsgId}` : `wechat:event:${push.FromUserName}:${push.CreateTime ?? ''}:${push.Event ?? ''}`;
        if (await this.#options.idempotency.claim(key, DEDUPE_TTL_MS)) this.#accept(push);
        // "success" (or an empty body) tells WeChat not to retry and not to show an error.
        // https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
        return reply.type('text/plain').send('success');
      });

      app.addHook('onClose', async () => this.idle());
    };
  }

  #accept(push: WeChatPush): void {
    const openId = push.FromUserName as string;
    // One customer's messages run in arrival order (a photo, then "1").
    const work = this.#queue
      .run(openId, () => this.#process(push))
      .catch((error: unknown) => this.#options.logger.error({ err: error, msgType: push.MsgType }, 'wechat: a message could not be processed'));
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  async #process(push: WeChatPush): Promise<void> {
    const openId = push.FromUserName as string;
    const { gateway } = this.#options;
    if (push.MsgType === 'event') {
      if (push.Event !== 'subscribe') return;
      const { record } = await gateway.open({ channel: WECHAT_CHANNEL, externalId: openId, locale: this.#options.locale ?? 'zh-CN' });
      await gateway.greet(record);
      return;
    }
    let inbound: Parameters<ConversationGateway['send']>[1] | undefined;
    if (push.MsgType === 'text' && push.Content !== undefined) {
      inbound = { text: push.Content };
    } else if (push.MsgType === 'voice' && push.Recognition) {
      // Speech recognition, when the account has it on, gives the words.
      inbound = { text: push.Recognition };
    } else if (push.MsgType === 'image' && push.MediaId) {
      // Temporary media expire: fetch now, not when an agent looks.
      const media = await this.#options.api.getMedia(push.MediaId);
      const extension = media.contentType.split('/')[1] ?? 'bin';
      inbound = {
        attachments: [{ contentType: media.contentType, name: `wechat-${push.MsgId ?? push.MediaId}.${extension}`, contentUrl: `data:${media.contentType};base64,${media.bytes.toString('base64')}` }],
      };
    }
    if (!inbound) return;
    const { record } = await gateway.open({ channel: WECHAT_CHANNEL, externalId: openId, locale: this.#options.locale ?? 'zh-CN' });
    if (inbound.text !== undefined) {
      // A bare number picks one of the numbered choices last shown.
      const match = /^\s*(\d{1,2})\s*$/.exec(inbound.text);
      const choice = match ? (await this.#choices(record.id))[Number(match[1]) - 1] : undefined;
      if (choice !== undefined) inbound = { text: choice };
    }
    await gateway.send(record, inbound);
  }

  async #sendReplies(record: ConversationRecord, replies: PublicActivity[]): Promise<void> {
    // The OpenID is stored with the conversation, so any instance can reach the customer.
    const openId = record.externalId;
    if (!openId) {
      this.#options.logger.warn({ conversationId: record.id }, 'wechat: no OpenID known for a reply; not sent');
      return;
    }
    let choices: string[] | undefined;
    for (const reply of replies) {
      const actions = reply.suggestedActions?.actions ?? [];
      const lines = [reply.text ?? ''];
      for (const attachment of reply.attachments ?? []) lines.push(`[${attachment.name}]`);
      if (actions.length > 0) {
        lines.push('', ...actions.map((action, index) => `${index + 1}. ${action.title}`));
        choices = actions.map((action) => action.value);
      }
      const text = lines.join('\n').trim();
      if (!text) continue;
      for (const part of split(text)) await this.#options.api.sendText(openId, part);
    }
    // Choices belong to the latest replies: without new ones a number is just text again.
    const key = choicesKey(record.id);
    if (choices) await this.#options.values.set(key, JSON.stringify(choices), CHOICES_TTL_MS);
    else await this.#options.values.delete(key);
  }

  async #choices(conversationId: string): Promise<string[]> {
    const raw = await this.#options.values.get(choicesKey(conversationId));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((value): value is string => typeof value === 'string') : [];
  }
}

/** 401 for a push that is not from WeChat: a real WeChat push always verifies. */
function refuse(reply: { code(status: number): { type(value: string): { send(body: string): unknown } } }): unknown {
  return reply.code(401).type('text/plain').send('invalid signature');
}

function choicesKey(conversationId: string): string {
  return `wechat:choices:${conversationId}`;
}

function split(text: string): string[] {
  const parts: string[] = [];
  for (let rest = text; rest.length > 0; rest = rest.slice(MAX_TEXT)) parts.push(rest.slice(0, MAX_TEXT));
  return parts;
}
