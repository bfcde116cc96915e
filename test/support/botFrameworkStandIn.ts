import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An activity the bot sent, as the Connector received it. */
export interface ConnectorActivity {
  type: string;
  text?: string;
  textFormat?: string;
  locale?: string;
  replyToId?: string;
  from?: { id: string; name?: string };
  recipient?: { id: string; name?: string };
  conversation?: { id: string };
  attachments?: { contentType: string; name?: string; contentUrl?: string; content?: { buttons?: { type: string; title: string; value: string }[] } }[];
  suggestedActions?: { actions: { type: string; title: string; value: string }[] };
  channelData?: { awaiting?: string; case?: { id: string; outcome: string; status: string; clauses: string[] } };
}

export interface PostedActivity {
  conversationId: string;
  /** The `{activityId}` of `POST /v3/conversations/{conversationId}/activities/{activityId}` (ReplyToActivity); absent for SendToConversation. */
  replyTo?: string;
  authorization?: string;
  activity: ConnectorActivity;
}

interface ServedFile {
  bytes: Buffer;
  contentType: string;
  /** Without Content-Length (chunked), so only reading tells the size. */
  chunked: boolean;
}

/**
 * The Bot Framework Connector as the Emulator runs it on 127.0.0.1: receives the bot's
 * activities on the two Connector routes the SDK uses — `POST /v3/conversations/{id}/activities`
 * (SendToConversation) and `POST /v3/conversations/{id}/activities/{activityId}`
 * (ReplyToActivity) — answering a ResourceResponse `{ id }` as the service does, and serves
 * uploaded files at `/v3/attachments/{id}/views/original` as the Emulator does.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference
 */
export class BotFrameworkStandIn {
  readonly posted: PostedActivity[] = [];
  readonly fileRequests: { path: string; authorization?: string }[] = [];
  /** Delay before a file is served (a slow download makes a slow turn). */
  fileDelayMs = 0;
  #files = new Map<string, ServedFile>();
  #server: Server | undefined;
  #url = '';

  /** Starts listening; resolves with the service URL (as the Emulator's: no trailing slash). */
  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(body));
      };
      const activities = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
      if (activities && request.method === 'POST') {
        void readJson(request).then((activity) => {
          const replyTo = activities[2] === undefined ? undefined : decodeURIComponent(activities[2]);
          this.posted.push({
            conversationId: decodeURIComponent(activities[1] ?? ''),
            ...(replyTo === undefined ? {} : { replyTo }),
            ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
            activity: activity as ConnectorActivity,
          });
          json(200, { id: randomUUID() });
        }, () => json(400, { error: { code: 'BadArgument', message: 'not JSON' } }));
        return;
      }
      const attachment = /^\/v3\/attachments\/([^/]+)\/views\/original$/.exec(url.pathname);
      if (attachment && request.method === 'GET') {
        this.fileRequests.push({ path: url.pathname, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
        const file = this.#files.get(attachment[1] ?? '');
        if (!file) return json(404, { error: { code: 'NotFound', message: 'no such attachment' } });
        setTimeout(() => serve(response, file), this.fileDelayMs);
        return;
      }
      json(404, { error: { code: 'NotFound', message: `no route ${request.method} ${url.pathname}` } });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#url;
  }

  /** Serves bytes as an uploaded file; answers its `contentUrl`. */
  file(bytes: Uint8Array, contentType: string, options: { chunked?: boolean } = {}): string {
    const id = randomUUID();
    this.#files.set(id, { bytes: Buffer.from(bytes), contentType, chunked: options.chunked ?? false });
    return `${this.#url}/v3/attachments/${id}/views/original`;
  }

  /** What the bot sent into one conversation, in order. */
  to(conversationId: string): PostedActivity[] {
    return this.posted.filter((posted) => posted.conversationId === conversationId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

function serve(response: import('node:http').ServerResponse, file: ServedFile): void {
  if (!file.chunked) {
    response.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
    response.end(file.bytes);
    return;
  }
  response.writeHead(200, { 'content-type': file.contentType });
  const chunk = 256 * 1024;
  let offset = 0;
  const next = () => {
    while (offset < file.bytes.length) {
      const part = file.bytes.subarray(offset, offset + chunk);
      offset += chunk;
      // The client may stop reading (a file too large): stop writing then.
      if (response.destroyed) return;
      if (!response.write(part)) return void response.once('drain', next);
    }
    response.end();
  };
  response.on('error', () => undefined);
  next();
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
