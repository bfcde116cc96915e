import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API on 127.0.0.1: it speaks the wire format `@slack/web-api`
 * uses (POST https://slack.com/api/{method}, form-encoded or JSON body, `Authorization: Bearer`),
 * records every call, keeps the messages it was sent (so updates happen in place) and answers
 * with the response shapes of Slack's method reference
 * (https://docs.slack.dev/reference/methods). Calls can be failed on demand: a rate limit
 * (HTTP 429 with Retry-After), a server error, or a platform error (`ok: false`).
 *
 * It also checks what Slack would refuse: Block Kit limits (`invalid_blocks`) and modal rules
 * (`invalid_arguments`), so a card or modal Slack would reject fails here too.
 */

export interface SlackCall {
  method: string;
  /** The bearer token the call carried. */
  token: string | undefined;
  contentType: string;
  /** Arguments, with JSON-encoded ones (blocks, view) decoded. */
  params: Record<string, unknown>;
  /** Set when the stand-in failed the call on purpose or refused it. */
  failed?: string;
}

export type SlackFailure = { kind: 'ratelimited'; retryAfter?: number } | { kind: 'http'; status: number } | { kind: 'error'; error: string };

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  user: string;
  bot_id: string;
}

/** A file object (https://docs.slack.dev/reference/objects/file-object), the fields a message event's `files[]` has. */
export interface SlackFileObject {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  editable: boolean;
  size: number;
  mode: 'hosted';
  is_external: boolean;
  external_type: string;
  is_public: boolean;
  public_url_shared: boolean;
  display_as_bot: boolean;
  username: string;
  url_private: string;
  url_private_download: string;
  permalink: string;
  permalink_public: string;
  has_rich_preview: boolean;
  file_access: 'visible';
}

export interface FileDownload {
  path: string;
  token: string | undefined;
  /** False when the token was missing or wrong (Slack then answers its sign-in page). */
  served: boolean;
}

export interface SlackUser {
  id: string;
  name: string;
  real_name?: string;
  display_name?: string;
}

export interface SlackStandIn {
  /** Base URL for `slackApiUrl` (ends with `/api/`). */
  url: string;
  botToken: string;
  botUserId: string;
  botId: string;
  calls: SlackCall[];
  /** Successful calls of one method. */
  succeeded(method: string): SlackCall[];
  /** Fails the next `times` calls of `method` (all methods: `*`). */
  failNext(method: string, failure: SlackFailure, times?: number): void;
  setChannelMembers(channel: string, members: string[]): void;
  setUser(user: SlackUser): void;
  setUsergroup(id: string, users: string[]): void;
  /**
   * Hosts a file as Slack's file server does and answers its file object, as a message event's
   * `files[]` carries it: `url_private_download` on this server, served only with the bot token.
   */
  hostFile(file: { name: string; mimetype: string; bytes: Uint8Array; filetype?: string }): SlackFileObject;
  /** Every request for a hosted file's URL, in order. */
  fileDownloads: FileDownload[];
  /** Accepts an app-level token for Socket Mode, handing out `url` (see socketModeStandIn.ts). */
  acceptAppToken(appToken: string, url: string): void;
  /** Messages posted, in order (updates change them in place). */
  messages: StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  deleteMessage(channel: string, ts: string): void;
  close(): Promise<void>;
}

const TEAM_ID = 'T0001TEAM';
const APP_ID = 'A0001DESK';
/** Slack's own figures: https://docs.slack.dev/reference/block-kit/blocks */
const LIMITS = { blocks: 50, sectionText: 3000, field: 2000, fields: 10, header: 150, buttonText: 75, buttonValue: 2000, actionId: 255, elements: 25 };

export async function startSlackStandIn(options: { botToken?: string; membersPageSize?: number } = {}): Promise<SlackStandIn> {
  const botToken = options.botToken ?? 'xoxb-0000-standin';
  const botUserId = 'U0BOT0001';
  const botId = 'B0BOT0001';
  const pageSize = options.membersPageSize ?? 1000;
  const calls: SlackCall[] = [];
  const failures: { method: string; failure: SlackFailure; times: number }[] = [];
  const members = new Map<string, string[]>();
  const users = new Map<string, SlackUser>();
  const usergroups = new Map<string, string[]>();
  const socketModeUrls = new Map<string, string>();
  const messages: StoredMessage[] = [];
  const files = new Map<string, { bytes: Uint8Array; mimetype: string }>();
  const fileDownloads: FileDownload[] = [];
  let baseUrl = '';
  // Message ts values are unique per channel, "seconds.sequence" like Slack's.
  const clock = 1_760_000_000;
  let seq = 0;
  const nextTs = () => `${clock}.${String(++seq).padStart(6, '0')}`;
  const findMessage = (channel: string, ts: string) => messages.find((message) => message.channel === channel && message.ts === ts);

  const handlers: Record<string, (params: Record<string, unknown>, call: SlackCall) => Record<string, unknown>> = {
    'auth.test': () => ({ ok: true, url: 'https://standin.slack.com/', team: 'Stand-in', user: 'refundbot', team_id: TEAM_ID, user_id: botUserId, bot_id: botId, is_enterprise_install: false }),

    'chat.postMessage': (params) => {
      const channel = String(params.channel ?? '');
      if (!/^[CGD][A-Z0-9]+$/.test(channel)) return { ok: false, error: 'channel_not_found' };
      if (!params.text && !params.blocks) return { ok: false, error: 'no_text' };
      const blockError = validateBlocks(params.blocks);
      if (blockError) return { ok: false, error: 'invalid_blocks', errors: [blockError], response_metadata: { messages: [`[ERROR] ${blockError}`] } };
      const stored: StoredMessage = {
        channel,
        ts: nextTs(),
        text: String(params.text ?? ''),
        user: botUserId,
        bot_id: botId,
        ...(Array.isArray(params.blocks) ? { blocks: params.blocks } : {}),
        ...(params.thread_ts ? { thread_ts: String(params.thread_ts) } : {}),
      };
      messages.push(stored);
      return { ok: true, channel, ts: stored.ts, message: messageShape(stored) };
    },

    'chat.update': (params) => {
      const stored = findMessage(String(params.channel ?? ''), String(params.ts ?? ''));
      if (!stored) return { ok: false, error: 'message_not_found' };
      const blockError = validateBlocks(params.blocks);
      if (blockError) return { ok: false, error: 'invalid_blocks', errors: [blockError] };
      stored.text = String(params.text ?? '');
      if (Array.isArray(params.blocks)) stored.blocks = params.blocks;
      return { ok: true, channel: stored.channel, ts: stored.ts, text: stored.text, message: { ...messageShape(stored), edited: { user: botUserId, ts: nextTs() } } };
    },

    'chat.postEphemeral': (params) => {
      if (!params.channel || !params.user) return { ok: false, error: 'invalid_arguments' };
      if (!params.text && !params.blocks) return { ok: false, error: 'no_text' };
      return { ok: true, message_ts: nextTs() };
    },

    'views.open': (params) => {
      if (!params.trigger_id) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } };
      const view = params.view as Record<string, unknown> | undefined;
      const viewError = validateModal(view);
      if (viewError || !view) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [`[ERROR] ${viewError}`] } };
      const id = `V${String(++seq).padStart(8, '0')}`;
      return {
        ok: true,
        view: {
          id,
          team_id: TEAM_ID,
          type: 'modal',
          blocks: view.blocks,
          private_metadata: view.private_metadata ?? '',
          callback_id: view.callback_id ?? '',
          state: { values: {} },
          hash: `${clock}.${seq.toString(16)}`,
          title: view.title,
          clear_on_close: false,
          notify_on_close: false,
          close: view.close ?? null,
          submit: view.submit ?? null,
          previous_view_id: null,
          root_view_id: id,
          app_id: APP_ID,
          external_id: '',
          app_installed_team_id: TEAM_ID,
          bot_id: botId,
        },
      };
    },

    'conversations.members': (params) => {
      const list = members.get(String(params.channel ?? ''));
      if (!list) return { ok: false, error: 'channel_not_found' };
      const start = params.cursor ? Number(Buffer.from(String(params.cursor), 'base64').toString().replace('offset:', '')) : 0;
      const limit = Math.min(Number(params.limit ?? 100), pageSize);
      const page = list.slice(start, start + limit);
      const next = start + limit < list.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
      return { ok: true, members: page, response_metadata: { next_cursor: next } };
    },

    'users.info': (params) => {
      const user = users.get(String(params.user ?? ''));
      if (!user) return { ok: false, error: 'user_not_found' };
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: TEAM_ID,
          name: user.name,
          deleted: false,
          real_name: user.real_name ?? '',
          tz: 'Asia/Shanghai',
          profile: {
            real_name: user.real_name ?? '',
            display_name: user.display_name ?? '',
            real_name_normalized: user.real_name ?? '',
            display_name_normalized: user.display_name ?? '',
            team: TEAM_ID,
          },
          is_admin: false,
          is_owner: false,
          is_bot: false,
          is_app_user: false,
          updated: clock,
        },
      };
    },

    'usergroups.users.list': (params) => {
      const list = usergroups.get(String(params.usergroup ?? ''));
      return list ? { ok: true, users: list } : { ok: false, error: 'no_such_subteam' };
    },

    // Socket Mode's first call: the WebSocket URL for an accepted app-level token.
    'apps.connections.open': (_params, call) => {
      const url = call.token ? socketModeUrls.get(call.token) : undefined;
      return url ? { ok: true, url } : { ok: false, error: 'invalid_auth' };
    },
  };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET' && (request.url ?? '').startsWith('/files-pri/')) return serveFile(request, response);
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const raw = await readBody(request);
    const contentType = String(request.headers['content-type'] ?? '');
    const params = parseParams(raw, contentType);
    const auth = String(request.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : typeof params.token === 'string' ? params.token : undefined;
    const call: SlackCall = { method, token, contentType, params };
    calls.push(call);

    const failure = takeFailure(method);
    if (failure) {
      call.failed = failure.kind === 'error' ? failure.error : failure.kind === 'ratelimited' ? 'ratelimited' : `http_${failure.status}`;
      if (failure.kind === 'ratelimited') return send(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter ?? 0) });
      if (failure.kind === 'http') {
        response.writeHead(failure.status, { 'content-type': 'text/html' });
        response.end('<html><body>Service Unavailable</body></html>');
        return;
      }
      return send(response, 200, { ok: false, error: failure.error });
    }
    if (method === 'apps.connections.open') {
      if (!token?.startsWith('xapp-')) return refuse(call, response, 'not_allowed_token_type');
    } else if (!token) return refuse(call, response, 'not_authed');
    else if (token !== botToken) return refuse(call, response, 'invalid_auth');
    const handler = handlers[method];
    if (!handler) return refuse(call, response, 'unknown_method');
    const answer = handler(params, call);
    if (answer.ok === false) call.failed = String(answer.error);
    send(response, 200, answer);
  }

  /**
   * Slack's file server: the bytes for the bot token; otherwise, as Slack does, a 200 with its
   * HTML sign-in page instead of an error.
   */
  function serveFile(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const auth = String(request.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
    const file = files.get(path);
    const served = !!file && token === botToken;
    fileDownloads.push({ path, token, served });
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('file_not_found');
      return;
    }
    if (!served) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>');
      return;
    }
    response.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.byteLength) });
    response.end(Buffer.from(file.bytes));
  }

  function hostFile(input: { name: string; mimetype: string; bytes: Uint8Array; filetype?: string }): SlackFileObject {
    const id = `F${String(++seq).padStart(10, '0')}`;
    const name = encodeURIComponent(input.name);
    const path = `/files-pri/${TEAM_ID}-${id}/download/${name}`;
    files.set(path, { bytes: input.bytes, mimetype: input.mimetype });
    const filetype = input.filetype ?? input.name.split('.').pop() ?? 'binary';
    return {
      id,
      created: clock,
      timestamp: clock,
      name: input.name,
      title: input.name,
      mimetype: input.mimetype,
      filetype,
      pretty_type: filetype.toUpperCase(),
      user: 'U0AGENT01',
      user_team: TEAM_ID,
      editable: false,
      size: input.bytes.byteLength,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: true,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${baseUrl}/files-pri/${TEAM_ID}-${id}/${name}`,
      url_private_download: `${baseUrl}${path}`,
      permalink: `https://standin.slack.com/files/U0AGENT01/${id}/${name}`,
      permalink_public: `https://slack-files.com/${TEAM_ID}-${id}-0ce8936320`,
      has_rich_preview: false,
      file_access: 'visible',
    };
  }

  function refuse(call: SlackCall, response: ServerResponse, error: string): void {
    call.failed = error;
    send(response, 200, { ok: false, error });
  }

  function takeFailure(method: string): SlackFailure | undefined {
    const index = failures.findIndex((entry) => entry.method === method || entry.method === '*');
    const entry = failures[index];
    if (!entry) return undefined;
    entry.times -= 1;
    if (entry.times <= 0) failures.splice(index, 1);
    return entry.failure;
  }

  function messageShape(stored: StoredMessage): Record<string, unknown> {
    return {
      user: stored.user,
      type: 'message',
      ts: stored.ts,
      bot_id: stored.bot_id,
      app_id: APP_ID,
      text: stored.text,
      team: TEAM_ID,
      bot_profile: { id: stored.bot_id, app_id: APP_ID, name: 'refundbot', deleted: false, team_id: TEAM_ID },
      ...(stored.blocks ? { blocks: stored.blocks } : {}),
      ...(stored.thread_ts ? { thread_ts: stored.thread_ts, parent_user_id: botUserId } : {}),
    };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    botToken,
    botUserId,
    botId,
    calls,
    succeeded: (method) => calls.filter((call) => call.method === method && !call.failed),
    failNext(method, failure, times = 1) {
      failures.push({ method, failure, times });
    },
    setChannelMembers: (channel, list) => void members.set(channel, [...list]),
    setUser: (user) => void users.set(user.id, user),
    setUsergroup: (id, list) => void usergroups.set(id, [...list]),
    hostFile,
    fileDownloads,
    acceptAppToken: (appToken, url) => void socketModeUrls.set(appToken, url),
    messages,
    message: findMessage,
    deleteMessage(channel, ts) {
      const index = messages.findIndex((message) => message.channel === channel && message.ts === ts);
      if (index >= 0) messages.splice(index, 1);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Slack takes form fields (complex ones JSON-encoded) or a JSON body. */
function parseParams(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const params: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    params[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return params;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

type Json = Record<string, unknown>;

/** The Block Kit limits a message's blocks must keep; the first broken one, or undefined. */
export function validateBlocks(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > LIMITS.blocks) return `no more than ${LIMITS.blocks} blocks`;
  for (const [index, block] of (blocks as Json[]).entries()) {
    const text = (block.text as Json | undefined)?.text;
    if (block.type === 'header' && (typeof text !== 'string' || text.length > LIMITS.header)) return `blocks[${index}]: header text over ${LIMITS.header}`;
    if (block.type === 'section') {
      if (typeof text === 'string' && text.length > LIMITS.sectionText) return `blocks[${index}]: section text over ${LIMITS.sectionText}`;
      const fields = (block.fields as Json[] | undefined) ?? [];
      if (fields.length > LIMITS.fields) return `blocks[${index}]: more than ${LIMITS.fields} fields`;
      if (fields.some((field) => String(field.text).length > LIMITS.field)) return `blocks[${index}]: field over ${LIMITS.field}`;
      if (typeof text !== 'string' && fields.length === 0) return `blocks[${index}]: section needs text or fields`;
    }
    if (block.type === 'actions') {
      const elements = (block.elements as Json[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > LIMITS.elements) return `blocks[${index}]: 1–${LIMITS.elements} elements`;
      const ids = new Set<string>();
      for (const element of elements) {
        const label = String((element.text as Json | undefined)?.text ?? '');
        const actionId = String(element.action_id ?? '');
        if (label.length === 0 || label.length > LIMITS.buttonText) return `blocks[${index}]: button text over ${LIMITS.buttonText}`;
        if (String(element.value ?? '').length > LIMITS.buttonValue) return `blocks[${index}]: button value over ${LIMITS.buttonValue}`;
        if (actionId.length > LIMITS.actionId || ids.has(actionId)) return `blocks[${index}]: action_id too long or repeated`;
        ids.add(actionId);
      }
    }
  }
  return undefined;
}

/** Modal rules views.open enforces: https://docs.slack.dev/reference/views/modal-views */
function validateModal(view: Json | undefined): string | undefined {
  if (!view || view.type !== 'modal') return 'view.type must be modal';
  const title = (view.title as Json | undefined)?.text;
  if (typeof title !== 'string' || title.length === 0 || title.length > 24) return 'title must be 1–24 characters';
  const blocks = view.blocks as Json[] | undefined;
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 100) return 'blocks: 1–100';
  if (blocks.some((block) => block.type === 'input') && !view.submit) return 'must define `submit` to use an input block in modals';
  if (String(view.private_metadata ?? '').length > 3000) return 'private_metadata over 3000 characters';
  return validateBlocks(blocks.filter((block) => block.type !== 'input'));
}
