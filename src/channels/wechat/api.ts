import { createHash } from 'node:crypto';
import type { IdempotencyStore, SharedValueStore } from '../../stores/ports.ts';

/** How long one instance may take to fetch a token before another tries (and how long others wait for it). */
const REFRESH_LOCK_MS = 10_000;
const REFRESH_POLL_MS = 100;
/** Refresh this long before WeChat's expiry: a token in use must not lapse mid-send. */
const EARLY_REFRESH_S = 300;

interface StoredToken {
  value: string;
  /** Wall-clock epoch ms after which it is refreshed. */
  until: number;
}

/**
 * The few WeChat server APIs the channel calls: access_token, customer-service messages and
 * temporary media. Base URL configurable so tests talk to a stand-in.
 */
export class WeChatApi {
  readonly #base: string;
  readonly #appId: string;
  readonly #appSecret: string;
  readonly #fetch: typeof fetch;
  readonly #values: SharedValueStore;
  readonly #locks: IdempotencyStore;
  #token: StoredToken | undefined;
  /** The last token this instance used, kept after it is dropped: it names the refresh that replaces it. */
  #lastSeen = '';
  #refreshing: Promise<string> | undefined;

  constructor(options: { baseUrl: string; appId: string; appSecret: string; values: SharedValueStore; locks: IdempotencyStore; fetch?: typeof fetch }) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#appId = options.appId;
    this.#appSecret = options.appSecret;
    this.#values = options.values;
    this.#locks = options.locks;
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * A valid access_token, shared by every instance through the store: WeChat limits how often
   * tokens may be fetched (2,000 a day), and each new token invalidates the previous one after
   * a short grace period, so instances fetching their own would knock each other's out.
   * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
   *
   * Order of looking: this process's copy, then the store's, then one instance (holding a short
   * lock) fetches a new one while the others wait for it to appear in the store. Tokens are
   * refreshed five minutes before they expire.
   */
  async accessToken(): Promise<string> {
    // The wall clock, not the app's clock: token lifetimes are real time even when tests fix the app's clock.
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    this.#refreshing ??= this.#sharedToken().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  get #tokenKey(): string {
    return `wechat:access-token:${this.#appId}`;
  }

  async #sharedToken(): Promise<string> {
    const deadline = Date.now() + REFRESH_LOCK_MS;
    for (;;) {
      const stored = await this.#storedToken();
      if (stored) {
        this.#token = stored;
        this.#lastSeen = stored.value;
        return stored.value;
      }
      // One lock per token being replaced: instances replacing the same token fetch once, and
      // the next refresh (hours later, or after WeChat refused this one) is not held up by it.
      const replacing = createHash('sha256').update(this.#lastSeen).digest('hex').slice(0, 16);
      if (await this.#locks.claim(`wechat:token-refresh:${this.#appId}:${replacing}`, REFRESH_LOCK_MS)) return this.#fetchToken();
      // Another instance is fetching: its token appears in the store shortly. If it never does
      // (that instance died mid-fetch), the lock lapses and this one fetches.
      if (Date.now() > deadline) return this.#fetchToken();
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
    }
  }

  async #storedToken(): Promise<StoredToken | undefined> {
    const raw = await this.#values.get(this.#tokenKey);
    if (!raw) return undefined;
    try {
      const token = JSON.parse(raw) as Partial<StoredToken>;
      if (typeof token.value === 'string' && typeof token.until === 'number' && token.until > Date.now()) return { value: token.value, until: token.until };
    } catch {
      // Unreadable: fetch a new one.
    }
    return undefined;
  }

  async #fetchToken(): Promise<string> {
    const url = `${this.#base}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(this.#appId)}&secret=${encodeURIComponent(this.#appSecret)}`;
    const body = (await (await this.#fetch(url)).json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    if (!body.access_token) throw new Error(`WeChat token: ${body.errcode ?? '?'} ${body.errmsg ?? ''}`.trim());
    const lifetimeMs = Math.max(60, (body.expires_in ?? 7200) - EARLY_REFRESH_S) * 1000;
    this.#token = { value: body.access_token, until: Date.now() + lifetimeMs };
    this.#lastSeen = body.access_token;
    await this.#values.set(this.#tokenKey, JSON.stringify(this.#token), lifetimeMs);
    return body.access_token;
  }

  /** Forgets a token WeChat called invalid, here and in the store (unless another instance already replaced it). */
  async #dropToken(token: string): Promise<void> {
    if (this.#token?.value === token) this.#token = undefined;
    if ((await this.#storedToken())?.value === token) await this.#values.delete(this.#tokenKey);
  }

  /**
   * Sends a text through the customer-service message API (allowed within 48 hours of the
   * customer's last message). A token the server calls invalid (40001/42001, e.g. refreshed by
   * another instance) is dropped and the send retried once.
   * https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
   */
  async sendText(openId: string, content: string): Promise<void> {
    await this.#call(async (token) => {
      const response = await this.#fetch(`${this.#base}/cgi-bin/message/custom/send?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser: openId, msgtype: 'text', text: { content } }),
      });
      return (await response.json()) as { errcode?: number; errmsg?: string };
    });
  }

  /**
   * Downloads temporary media (kept by WeChat for 3 days) by its MediaId.
   * https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html
   */
  async getMedia(mediaId: string): Promise<{ contentType: string; bytes: Buffer }> {
    let media: { contentType: string; bytes: Buffer } | undefined;
    await this.#call(async (token) => {
      const response = await this.#fetch(`${this.#base}/cgi-bin/media/get?access_token=${encodeURIComponent(token)}&media_id=${encodeURIComponent(mediaId)}`);
      const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]?.trim() ?? '';
      // Errors come back as JSON; media as the file itself.
      if (contentType === 'application/json' || contentType === 'text/plain') return (await response.json()) as { errcode?: number; errmsg?: string };
      if (!response.ok) return { errcode: response.status, errmsg: 'media download failed' };
      media = { contentType, bytes: Buffer.from(await response.arrayBuffer()) };
      return { errcode: 0 };
    });
    if (!media) throw new Error('WeChat media: nothing downloaded');
    return media;
  }

  async #call(request: (token: string) => Promise<{ errcode?: number; errmsg?: string }>): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.accessToken();
      const result = await request(token);
      if (!result.errcode) return;
      if ((result.errcode === 40001 || result.errcode === 42001 || result.errcode === 40014) && attempt === 0) {
        await this.#dropToken(token);
        continue;
      }
      throw new Error(`WeChat API: ${result.errcode} ${result.errmsg ?? ''}`.trim());
    }
  }

}
