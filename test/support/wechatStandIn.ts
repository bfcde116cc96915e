import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny real JPEG (SOI, JFIF APP0, EOI), as WeChat's media/get would serve a photo. */
export const TINY_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);

export interface SentMessage {
  accessToken: string;
  touser: string;
  msgtype: string;
  text: { content: string };
}

/**
 * WeChat's server on 127.0.0.1, speaking the three APIs the channel calls: `cgi-bin/token`,
 * `cgi-bin/message/custom/send` (recorded) and `cgi-bin/media/get` (serves TINY_JPEG for any
 * MediaId it was given). Errors are answered as WeChat does: HTTP 200 with errcode/errmsg JSON.
 */
export class WeChatStandIn {
  readonly sent: SentMessage[] = [];
  readonly media = new Map<string, Buffer>();
  tokenRequests = 0;
  mediaRequests = 0;
  /** Delay before media/get answers (a slow download makes a slow turn). */
  mediaDelayMs = 0;
  #server: Server | undefined;
  #tokens = new Set<string>();

  readonly appId: string;
  readonly appSecret: string;

  constructor(appId: string, appSecret: string) {
    this.appId = appId;
    this.appSecret = appSecret;
  }

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const json = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const tokenOk = () => this.#tokens.has(url.searchParams.get('access_token') ?? '');
      if (url.pathname === '/cgi-bin/token') {
        this.tokenRequests += 1;
        if (url.searchParams.get('grant_type') !== 'client_credential' || url.searchParams.get('appid') !== this.appId || url.searchParams.get('secret') !== this.appSecret) {
          return json({ errcode: 40013, errmsg: 'invalid appid' });
        }
        const token = `token-${this.tokenRequests}`;
        this.#tokens.add(token);
        return json({ access_token: token, expires_in: 7200 });
      }
      if (url.pathname === '/cgi-bin/message/custom/send' && request.method === 'POST') {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          if (!tokenOk()) return json({ errcode: 40001, errmsg: 'invalid credential' });
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Omit<SentMessage, 'accessToken'>;
          this.sent.push({ accessToken: url.searchParams.get('access_token') ?? '', ...body });
          json({ errcode: 0, errmsg: 'ok' });
        });
        return;
      }
      if (url.pathname === '/cgi-bin/media/get') {
        this.mediaRequests += 1;
        if (!tokenOk()) return json({ errcode: 40001, errmsg: 'invalid credential' });
        const bytes = this.media.get(url.searchParams.get('media_id') ?? '');
        if (!bytes) return json({ errcode: 40007, errmsg: 'invalid media_id' });
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'image/jpeg', 'content-disposition': 'attachment; filename="photo.jpg"' });
          response.end(bytes);
        }, this.mediaDelayMs);
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  /** The base URL (WECHAT_API_BASE_URL) once started. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  /** Makes every token issued so far invalid (as WeChat does once a newer one is fetched, or on expiry). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** The texts sent to one customer, in order. */
  textsTo(openId: string): string[] {
    return this.sent.filter((message) => message.touser === openId).map((message) => message.text.content);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}
