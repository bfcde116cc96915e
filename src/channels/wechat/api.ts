/**
 * The few WeChat server APIs the channel calls: access_token, customer-service messages and
 * temporary media. Base URL configurable so tests talk to a stand-in.
 */
export class WeChatApi {
  readonly #base: string;
  readonly #appId: string;
  readonly #appSecret: string;
  readonly #fetch: typeof fetch;
  #token: { value: string; until: number } | undefined;
  #refreshing: Promise<string> | undefined;

  constructor(options: { baseUrl: string; appId: string; appSecret: string; fetch?: typeof fetch }) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#appId = options.appId;
    this.#appSecret = options.appSecret;
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * A valid access_token, fetched once and reused until five minutes before it expires (WeChat
   * limits how often tokens may be fetched, and a new one invalidates the old after a grace period).
   * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
   * Cached in this process only: several instances each hold their own token (not shared yet).
   */
  async accessToken(): Promise<string> {
    // The wall clock, not the app's clock: token lifetimes are real time even when tests fix the app's clock.
    if (this.#token && this.#token.until > Date.now()) return this.#token.value;
    this.#refreshing ??= this.#fetchToken().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #fetchToken(): Promise<string> {
    const url = `${this.#base}/cgi-bin/token?grant_type=client_credential&appid=${encodeURIComponent(this.#appId)}&secret=${encodeURIComponent(this.#appSecret)}`;
    const body = (await (await this.#fetch(url)).json()) as { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    if (!body.access_token) throw new Error(`WeChat token: ${body.errcode ?? '?'} ${body.errmsg ?? ''}`.trim());
    const lifetimeMs = Math.max(60, (body.expires_in ?? 7200) - 300) * 1000;
    this.#token = { value: body.access_token, until: Date.now() + lifetimeMs };
    return body.access_token;
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
        if (this.#token?.value === token) this.#token = undefined;
        continue;
      }
      throw new Error(`WeChat API: ${result.errcode} ${result.errmsg ?? ''}`.trim());
    }
  }

}
