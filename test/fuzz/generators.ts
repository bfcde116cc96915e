import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { WeChatCipher, wechatSignature } from '../../src/channels/wechat/crypto.ts';
import { DESK_ACTIONS, DESK_VIEWS } from '../../src/channels/slack-desk/actions.ts';
import { ATTACHMENT_TYPES } from '../../src/channels/api/schemas.ts';
import { CASE_STATUSES } from '../../src/domain/case.ts';
import { ADMIN_TOKEN } from '../support/server.ts';
import { DESK_AGENT, DESK_CHANNEL, DESK_SECRET } from '../support/slackDesk.ts';
import { slackSignature } from '../support/slackSigner.ts';
import { BIG_FILES, HOSTILE_FILE_NAMES, HOSTILE_FILES, HOSTILE_JSON, HOSTILE_STRINGS, HOSTILE_XML, type HostileFile } from './corpus.ts';
import { CUSTOMER_TOKEN_SECRET, type FuzzTarget, WECHAT } from './target.ts';
import { type FuzzRequest, rawRequest } from './wire.ts';

/** One generated case: the request, and what must happen around it. */
export interface FuzzCase {
  request: FuzzRequest;
  /** Runs before the "before" snapshot (e.g. makes the order API answer something hostile, opens a conversation). */
  prepare?: () => Promise<void>;
  /** Runs after the answer and its checks. */
  cleanup?: () => void;
}

/** A case to build against the running target: big bodies are only made when the case runs. */
export type Plan = (target: FuzzTarget) => FuzzCase | Promise<FuzzCase>;

export interface Generator {
  endpoint: string;
  /** How often it is picked, relative to the others. */
  weight: number;
  plans: fc.Arbitrary<Plan>;
}

// ---- building blocks ------------------------------------------------------------------------

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u202E', '\uD800', '\r', '\n', '%', '/', '\\', '.', '"', "'", '<', '&', ';', 'a', '0'), maxLength: 60 }) },
);
const json = fc.jsonValue({ maxDepth: 4 });
const anyValue = fc.oneof(hostileString, json);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
const hostileJsonBody = fc.constantFrom(...HOSTILE_JSON);
/** Percent-encodes every byte of the text's UTF-8 (lone surrogates become U+FFFD, as a browser sends them). */
const pct = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
/** A path segment: a hostile string, percent-encoded, or a known traversal. */
const hostileSegment = fc.oneof(
  hostileString.map((text) => pct(text) || '%20'),
  fc.constantFrom('..', '%2e%2e', '..%2f..%2f..%2fetc%2fpasswd', '%00', '%ff%fe', '%c0%ae%c0%ae', '..%5c..%5cwindows', 'a'.repeat(3000), '%E2%80%AE', 'x%0d%0aSet-Cookie:%20a=b'),
);

const JSON_TYPE = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const withoutUndefined = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));

/** Admin credentials: none, wrong, malformed, or right (most often, so the parsing after them runs). */
const adminAuth = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Record<string, string>>(bearer(ADMIN_TOKEN)) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: hostileString.map((text) => ({ authorization: `Bearer ${text.replace(/[\r\n\0]/g, '') || 'x'}` })) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ authorization: 'Basic YWRtaW46YWRtaW4=' }, { authorization: 'Bearer' }, { authorization: `Bearer ${ADMIN_TOKEN} extra` }, { authorization: `bearer ${ADMIN_TOKEN}x` }) },
);

/** A body: a hostile JSON document, random JSON, or a shaped object. */
function jsonBody(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<() => string | Buffer> {
  return fc.oneof(
    { weight: 1, arbitrary: hostileJsonBody },
    { weight: 1, arbitrary: json.map((value) => () => JSON.stringify(value)) },
    { weight: 3, arbitrary: shaped.map((value) => () => JSON.stringify(value)) },
  );
}

/** A data: URL attachment from the hostile files, or a broken one. */
const hostileAttachment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ file: fc.oneof({ weight: 150, arbitrary: fc.constantFrom(...HOSTILE_FILES) }, { weight: 1, arbitrary: fc.constantFrom(...BIG_FILES) }), name: fc.option(fc.constantFrom(...HOSTILE_FILE_NAMES)), declared: fc.option(fc.oneof(fc.constantFrom(...ATTACHMENT_TYPES), hostileString)) }).map(
      ({ file, name, declared }) =>
        () => ({ contentType: declared ?? file.declared, name: name ?? file.name, contentUrl: `data:${file.declared};base64,${file.bytes().toString('base64')}` }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        contentType: fc.oneof(fc.constantFrom(...ATTACHMENT_TYPES), anyValue),
        name: maybe(anyValue),
        contentUrl: fc.oneof(
          anyValue,
          fc.constantFrom('data:image/jpeg;base64,!!!not-base64!!!', 'data:image/jpeg,rawbytes', 'data:;base64,', 'data:image/jpeg;name=../../x;base64,/9j/', 'http://127.0.0.1:1/x.jpg', 'file:///etc/passwd', 'data:image/jpeg;base64,' + '/'.repeat(100)),
        ),
      })
      .map((attachment) => () => withoutUndefined(attachment)),
  },
);

// ---- the conversation API -------------------------------------------------------------------

const activityShape = fc.record(
  {
    type: fc.oneof(fc.constant('message'), anyValue),
    text: fc.oneof(hostileString, json, fc.constantFrom('a'.repeat(4000), 'a'.repeat(4001), 'refund order 100101 ' + '\u0000'.repeat(100))),
    locale: fc.oneof(fc.constantFrom('en', 'zh-CN', 'zh-TW'), anyValue),
    value: json,
    attachments: fc.oneof(json, fc.array(fc.constant(null), { maxLength: 7 })),
  },
  { requiredKeys: ['type'] },
);

const conversationMessage: Generator = {
  endpoint: 'conversation.message',
  weight: 10,
  plans: fc.record({ body: jsonBody(activityShape), auth: fc.oneof({ weight: 5, arbitrary: fc.constant('right') }, { weight: 1, arbitrary: fc.constantFrom('none', 'wrong', 'other-id') }) }).map(
    ({ body, auth }) =>
      (t) => {
        const { conversationId, token } = t.fixtures;
        const id = auth === 'other-id' ? 'c_0000000000000000' : conversationId;
        const headers = { ...JSON_TYPE, ...(auth === 'right' || auth === 'other-id' ? bearer(token) : auth === 'wrong' ? bearer(`${token}x`) : {}) };
        return { request: { endpoint: 'conversation.message', method: 'POST', path: `/v1/conversations/${id}/activities`, headers, body: body() } };
      },
  ),
};

const conversationUpload: Generator = {
  endpoint: 'conversation.upload',
  weight: 6,
  plans: fc.record({ attachments: fc.array(hostileAttachment, { minLength: 1, maxLength: 6 }), text: maybe(hostileString) }).map(
    ({ attachments, text }) =>
      (t) => ({
        request: {
          endpoint: 'conversation.upload',
          method: 'POST',
          path: `/v1/conversations/${t.fixtures.conversationId}/activities`,
          headers: { ...JSON_TYPE, ...bearer(t.fixtures.token) },
          body: JSON.stringify({ type: 'message', ...(text === undefined ? {} : { text }), attachments: attachments.map((build) => build()) }),
        },
      }),
  ),
};

const conversationStart: Generator = {
  endpoint: 'conversation.start',
  weight: 3,
  plans: jsonBody(
    fc.record(
      {
        locale: anyValue,
        customerToken: fc.oneof(
          hostileString,
          fc.constantFrom('a.b', 'a.b.c', '.', '..', `${'A'.repeat(1999)}.x`, 'eyJzdWIiOiJ4In0.'),
          // Correctly signed, hostile inside: the parsing after the signature runs.
          fc.oneof(json, fc.record({ sub: anyValue, exp: fc.oneof(fc.double(), fc.integer(), anyValue) })).map((claims) => {
            const payload = Buffer.from(JSON.stringify(claims) ?? 'null').toString('base64url');
            return `${payload}.${signWith(payload)}`;
          }),
        ),
      },
      { requiredKeys: [] },
    ),
  ).map((body) => () => ({ request: { endpoint: 'conversation.start', method: 'POST', path: '/v1/conversations', headers: JSON_TYPE, body: body() } })),
};

/** The customer-token signature of arbitrary payload bytes, as a shop's backend makes it. */
function signWith(payload: string): string {
  return createHmac('sha256', CUSTOMER_TOKEN_SECRET).update(payload).digest('base64url');
}

const watermark = fc.oneof(fc.integer().map(String), hostileString.map(pct), fc.constantFrom('1e400', '-0', '0x10', 'NaN', 'Infinity', '9007199254740993', '', '1&watermark=2'));

const conversationReads: Generator = {
  endpoint: 'conversation.read',
  weight: 4,
  plans: fc
    .record({
      kind: fc.constantFrom('history', 'stream', 'file', 'evidence'),
      watermark,
      segment: hostileSegment,
      useFixtureId: fc.boolean(),
      tokenIn: fc.constantFrom('header', 'query', 'none', 'wrong'),
      lastEventId: maybe(fc.oneof(fc.integer().map(String), hostileString.map((text) => text.replace(/[\r\n\0]/g, '')), fc.constantFrom('1e400', '-1', ' 1', '99999999999999999999'))),
    })
    .map(
      ({ kind, watermark: mark, segment, useFixtureId, tokenIn, lastEventId }) =>
        (t) => {
          const { conversationId, token, evidenceId } = t.fixtures;
          const id = useFixtureId ? conversationId : segment;
          const tokenQuery = tokenIn === 'query' ? `&access_token=${encodeURIComponent(token)}` : '';
          const headers: Record<string, string> = tokenIn === 'header' ? bearer(token) : tokenIn === 'wrong' ? bearer('wrong') : {};
          if (kind === 'history') return { request: { endpoint: 'conversation.history', method: 'GET', path: `/v1/conversations/${id}/activities?watermark=${mark}${tokenQuery}`, headers } };
          if (kind === 'stream') {
            if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
            return { request: { endpoint: 'conversation.stream', method: 'GET', path: `/v1/conversations/${id}/stream?watermark=${mark}${tokenQuery}`, headers, stream: true } };
          }
          if (kind === 'file') {
            const file = useFixtureId ? segment : evidenceId;
            return { request: { endpoint: 'conversation.file', method: 'GET', path: `/v1/conversations/${conversationId}/files/${file}?x=1${tokenQuery}`, headers } };
          }
          return { request: { endpoint: 'evidence.link', method: 'GET', path: `/v1/evidence/${useFixtureId ? evidenceId : segment}?expires=${mark}&signature=${segment}` } };
        },
    ),
};

// ---- Slack ----------------------------------------------------------------------------------

const slackFiles = fc.array(
  fc.oneof(
    json,
    fc.record({ id: anyValue, name: anyValue, mimetype: anyValue, size: fc.oneof(fc.integer(), anyValue), url_private: anyValue, url_private_download: anyValue }, { requiredKeys: [] }),
    fc.constant('hosted'),
  ),
  { maxLength: 4 },
);

const slackEvent = fc.record(
  {
    type: fc.oneof(fc.constantFrom('message', 'app_mention', 'reaction_added', 'member_joined_channel'), anyValue),
    channel: fc.oneof(fc.constantFrom(DESK_CHANNEL, 'D0CUSTOMER1', 'C0OTHER001'), anyValue),
    user: fc.oneof(fc.constantFrom('U0CUST0001', DESK_AGENT.id), anyValue),
    text: anyValue,
    ts: fc.oneof(fc.constantFrom('1760000300.000001', '1760000100.000001'), anyValue),
    thread_ts: fc.oneof(fc.constant('1760000100.000001'), anyValue),
    channel_type: fc.oneof(fc.constantFrom('im', 'channel', 'group', 'mpim'), anyValue),
    subtype: fc.oneof(fc.constantFrom('file_share', 'message_changed', 'bot_message', 'message_deleted'), anyValue),
    bot_id: anyValue,
    files: fc.oneof(slackFiles, json),
  },
  { requiredKeys: ['type'] },
);

let eventSeq = 0;
const slackPayload = fc.oneof(
  { weight: 1, arbitrary: json },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('url_verification'), challenge: anyValue, token: anyValue }, { requiredKeys: ['type'] }) },
  {
    weight: 4,
    arbitrary: fc.record({ event: slackEvent, team_id: anyValue, authorizations: fc.oneof(json, fc.constant([{ team_id: 'T0001TEAM', user_id: 'U0BOT0001' }])), eventId: fc.oneof(fc.constant(undefined), anyValue) }).map(({ event, team_id, authorizations, eventId }) => ({
      type: 'event_callback',
      event_id: eventId ?? `EvFuzz${++eventSeq}`,
      team_id,
      authorizations,
      event,
    })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        userId: fc.oneof(fc.constant(DESK_AGENT.id), anyValue),
        actionId: fc.oneof(fc.constantFrom(...Object.values(DESK_ACTIONS), 'choice_0', 'choice'), anyValue),
        value: fc.oneof(anyValue, json.map((value) => JSON.stringify(value)), fc.record({ conversationId: anyValue, caseId: anyValue, escalationId: anyValue }, { requiredKeys: [] }).map((value) => JSON.stringify(value))),
        channel: fc.oneof(fc.constant(DESK_CHANNEL), anyValue),
        triggerId: anyValue,
      })
      .map(({ userId, actionId, value, channel, triggerId }) => ({
        type: 'block_actions',
        user: { id: userId, username: 'agent', team_id: 'T0001TEAM' },
        trigger_id: triggerId,
        container: { type: 'message', message_ts: '1760000100.000001', channel_id: channel },
        channel: { id: channel },
        message: { ts: '1760000100.000001', text: 'card', blocks: [] },
        actions: [{ action_id: actionId, block_id: 'b', value, type: 'button', action_ts: `1760000100.${++eventSeq}` }],
      })),
  },
  {
    weight: 2,
    arbitrary: fc.record({ callbackId: fc.oneof(fc.constantFrom(...Object.values(DESK_VIEWS)), anyValue), metadata: fc.oneof(anyValue, json.map((value) => JSON.stringify(value))), values: json }).map(({ callbackId, metadata, values }) => ({
      type: 'view_submission',
      user: { id: DESK_AGENT.id, username: 'agent', team_id: 'T0001TEAM' },
      view: { id: `VFUZZ${++eventSeq}`, callback_id: callbackId, private_metadata: metadata, state: { values } },
    })),
  },
);

/** A Slack request body: JSON (events), a form with a JSON payload (interactivity), or bytes. */
const slackBody = fc.oneof(
  { weight: 3, arbitrary: slackPayload.map((payload) => ({ contentType: 'application/json', body: () => JSON.stringify(payload) ?? 'null' })) },
  { weight: 3, arbitrary: slackPayload.map((payload) => ({ contentType: 'application/x-www-form-urlencoded', body: () => new URLSearchParams({ payload: JSON.stringify(payload) ?? '' }).toString() })) },
  { weight: 1, arbitrary: hostileJsonBody.map((body) => ({ contentType: 'application/json', body: () => body() })) },
  { weight: 1, arbitrary: hostileJsonBody.map((body) => ({ contentType: 'application/x-www-form-urlencoded', body: () => Buffer.concat([Buffer.from('payload='), body()]) })) },
  { weight: 1, arbitrary: fc.constantFrom('ssl_check=1', 'payload=', 'payload=%7B', 'a=1&a=2', '%%%', 'payload=' + '%5B'.repeat(50_000)).map((body) => ({ contentType: 'application/x-www-form-urlencoded', body: () => body })) },
);

const slack: Generator = {
  endpoint: 'slack',
  weight: 10,
  plans: fc
    .record({
      body: slackBody,
      signing: fc.oneof({ weight: 6, arbitrary: fc.constant('right') }, { weight: 1, arbitrary: fc.constantFrom('none', 'wrong-secret', 'stale', 'future', 'garbage-timestamp', 'other-body') }),
      files: fc.boolean(),
      hostile: fc.constantFrom(...HOSTILE_FILES),
    })
    .map(
      ({ body, signing, files, hostile }) =>
        (t) => {
          let raw: string | Buffer = body.body();
          if (files && body.contentType === 'application/json' && typeof raw === 'string' && raw.includes('"event_callback"')) {
            // A customer's or agent's file, hosted on the Slack stand-in: the download and its checks run.
            const file = t.slack.hostFile({ name: hostile.name, mimetype: hostile.declared, bytes: hostile.bytes() });
            const parsed = JSON.parse(raw) as { event?: Record<string, unknown> };
            if (parsed.event && typeof parsed.event === 'object') parsed.event.files = [file];
            raw = JSON.stringify(parsed);
          }
          const now = t.nowSeconds;
          const timestamp = signing === 'stale' ? now - 301 : signing === 'future' ? now + 301 : now;
          const text = typeof raw === 'string' ? raw : raw.toString('latin1');
          const headers: Record<string, string> = { 'content-type': body.contentType };
          if (signing !== 'none') {
            headers['x-slack-request-timestamp'] = signing === 'garbage-timestamp' ? '1e10' : String(timestamp);
            headers['x-slack-signature'] = slackSignature(signing === 'wrong-secret' ? 'not-the-secret' : DESK_SECRET, timestamp, signing === 'other-body' ? `${text} ` : rawText(raw));
          }
          return { request: { endpoint: signing === 'right' ? 'slack.signed' : 'slack.unsigned', method: 'POST', path: '/slack/events', headers, body: raw } };
        },
    ),
};

/** The body as the server reads it for the signature (UTF-8). */
function rawText(raw: string | Buffer): string {
  return typeof raw === 'string' ? raw : raw.toString('utf8');
}

// ---- WeChat ---------------------------------------------------------------------------------

let wechatMsgId = 7_000_000_000_000_000_000n;
const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

const wechatPush = fc
  .record({
    from: fc.oneof(fc.constantFrom('oFuzzCustomer0001', 'oFuzzCustomer0002'), hostileString),
    msgType: fc.oneof(fc.constantFrom('text', 'image', 'voice', 'event', 'video', 'location'), hostileString),
    content: fc.oneof(hostileString, fc.constantFrom('1', '99', 'a'.repeat(5000), '订单100101退款')),
    mediaId: fc.oneof(fc.constantFrom('MEDIA_JPEG', 'MEDIA_UNKNOWN'), hostileString),
    event: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'CLICK'), hostileString),
    msgId: fc.oneof(fc.constant(undefined), hostileString),
  })
  .map(({ from, msgType, content, mediaId, event, msgId }) => {
    const id = msgId ?? String(wechatMsgId++);
    return `<xml><ToUserName>${cdata('gh_fuzz')}</ToUserName><FromUserName>${cdata(from)}</FromUserName><CreateTime>1763640000</CreateTime><MsgType>${cdata(msgType)}</MsgType><Content>${cdata(content)}</Content><MediaId>${cdata(mediaId)}</MediaId><Recognition>${cdata(content)}</Recognition><Event>${cdata(event)}</Event><MsgId>${cdata(id)}</MsgId></xml>`;
  });

const wechatXml = fc.oneof({ weight: 3, arbitrary: wechatPush.map((xml) => () => xml) }, { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_XML) }, { weight: 1, arbitrary: hostileString.map((text) => () => text) });

const wechat: Generator = {
  endpoint: 'wechat',
  weight: 8,
  plans: fc
    .record({
      xml: wechatXml,
      mode: fc.oneof({ weight: 4, arbitrary: fc.constant('signed') }, { weight: 3, arbitrary: fc.constant('aes') }, { weight: 2, arbitrary: fc.constantFrom('unsigned', 'bad-signature', 'aes-garbage', 'aes-unsigned', 'verify', 'verify-aes') }),
      contentType: fc.oneof({ weight: 6, arbitrary: fc.constant('text/xml') }, { weight: 1, arbitrary: fc.constantFrom('application/xml', 'text/plain', 'application/json', 'application/octet-stream', 'text/xml; charset=gbk', 'multipart/form-data; boundary=x') }),
      echostr: hostileString,
      nonce: fc.oneof(fc.integer({ min: 0 }).map(String), hostileString),
      oversize: fc.boolean(),
    })
    .map(
      ({ xml, mode, contentType, echostr, nonce, oversize }) =>
        (t) => {
          const timestamp = String(t.nowSeconds);
          const query = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
          const signature = wechatSignature(WECHAT.token, timestamp, nonce);
          if (mode === 'verify') {
            return { request: { endpoint: 'wechat.verify', method: 'GET', path: `/wechat?${query({ signature, timestamp, nonce, echostr })}` } };
          }
          if (mode === 'verify-aes') {
            return { request: { endpoint: 'wechat.verify', method: 'GET', path: `/wechat?${query({ msg_signature: wechatSignature(WECHAT.token, timestamp, nonce, echostr), timestamp, nonce, echostr })}` } };
          }
          let body: string | Buffer = xml();
          if (oversize && mode === 'unsigned') body = Buffer.alloc(1024 * 1024 + 1, 0x41);
          let fields: Record<string, string> = { timestamp, nonce, openid: 'oFuzz' };
          if (mode === 'signed') fields.signature = signature;
          if (mode === 'bad-signature') fields.signature = wechatSignature('wrong', timestamp, nonce);
          if (mode === 'aes' || mode === 'aes-garbage' || mode === 'aes-unsigned') {
            const inner = typeof body === 'string' ? body : body.toString('utf8');
            const encrypt = mode === 'aes-garbage' ? Buffer.from(inner.slice(0, 64)).toString('base64') : new WeChatCipher({ appId: WECHAT.appId, encodingAesKeys: [WECHAT.aesKey] }).encrypt(inner);
            body = `<xml><ToUserName>${cdata('gh_fuzz')}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`;
            fields = { ...fields, signature, encrypt_type: 'aes', msg_signature: mode === 'aes-unsigned' ? '0'.repeat(40) : wechatSignature(WECHAT.token, timestamp, nonce, encrypt) };
          }
          return { request: { endpoint: mode === 'signed' || mode === 'aes' ? 'wechat.signed' : 'wechat.unsigned', method: 'POST', path: `/wechat?${query(fields)}`, headers: { 'content-type': contentType }, body } };
        },
    ),
};

// ---- Bot Framework (/api/messages, Emulator mode) -------------------------------------------

const servedFiles = new WeakMap<FuzzTarget, Map<HostileFile, string>>();
/** The stand-in's URL for a hostile file (each served once per target). */
function servedUrl(t: FuzzTarget, file: HostileFile): string {
  let urls = servedFiles.get(t);
  if (!urls) servedFiles.set(t, (urls = new Map()));
  let url = urls.get(file);
  if (!url) urls.set(file, (url = t.emulator.file(file.bytes(), file.declared, { chunked: file === BIG_FILES[1] })));
  return url;
}

const botframework: Generator = {
  endpoint: 'botframework',
  weight: 8,
  plans: fc
    .record({
      overrides: fc.record(
        {
          type: fc.oneof(fc.constantFrom('message', 'conversationUpdate', 'typing', 'invoke', 'event'), anyValue),
          id: anyValue,
          channelId: fc.oneof(fc.constantFrom('emulator', 'msteams', 'webchat'), anyValue),
          serviceUrl: fc.oneof(fc.constantFrom('http://169.254.169.254/', 'https://evil.example/', 'ftp://127.0.0.1/', 'http://127.0.0.1:1/'), anyValue),
          from: fc.oneof(fc.record({ id: anyValue, name: anyValue, role: anyValue }, { requiredKeys: [] }), json),
          conversation: fc.oneof(fc.record({ id: anyValue, isGroup: fc.oneof(fc.boolean(), anyValue), tenantId: anyValue }, { requiredKeys: [] }), json),
          recipient: json,
          locale: anyValue,
          text: fc.oneof(anyValue, fc.constant('<at>Refund Bot</at>'.repeat(1000)), fc.constant('x'.repeat(1_000_001))),
          membersAdded: fc.oneof(json, fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 8 }) }), { maxLength: 30 })),
          entities: fc.oneof(json, fc.array(fc.record({ type: fc.constant('mention'), text: anyValue, mentioned: fc.record({ id: anyValue }) }), { maxLength: 3 })),
          channelData: json,
          value: json,
        },
        { requiredKeys: [] },
      ),
      files: fc.array(fc.record({ file: fc.oneof({ weight: 100, arbitrary: fc.constantFrom(...HOSTILE_FILES) }, { weight: 1, arbitrary: fc.constantFrom(...BIG_FILES) }), name: fc.constantFrom(...HOSTILE_FILE_NAMES), declared: fc.oneof(fc.constantFrom(...ATTACHMENT_TYPES, 'application/vnd.microsoft.teams.file.download.info'), hostileString), inline: fc.boolean() }), { maxLength: 3 }),
      raw: fc.option(hostileJsonBody, { freq: 8 }),
      keep: fc.integer({ min: 0, max: 3 }),
    })
    .map(
      ({ overrides, files, raw, keep }) =>
        (t) => {
          if (raw) return { request: { endpoint: 'botframework', method: 'POST', path: '/api/messages', headers: JSON_TYPE, body: raw() } };
          // Mostly a valid Emulator activity with some fields made hostile (`keep` of them), so the checks after parsing run.
          const chosen = Object.fromEntries(Object.entries(overrides).slice(0, keep));
          const activity = {
            type: 'message',
            id: `fuzz-${++eventSeq}`,
            serviceUrl: t.emulatorUrl,
            channelId: 'emulator',
            from: { id: `fuzz-user-${eventSeq % 7}`, name: 'User', role: 'user' },
            conversation: { id: `fuzz-conversation-${eventSeq % 7}|livechat` },
            recipient: { id: 'refundbot', name: 'Refund Bot', role: 'bot' },
            locale: 'en-US',
            text: 'I want a refund for order 100101',
            attachments: files.map(({ file, name, declared, inline }) => ({ contentType: declared, name, contentUrl: inline ? `data:${file.declared};base64,${file.bytes().toString('base64')}` : servedUrl(t, file) })),
            ...chosen,
          };
          return { request: { endpoint: 'botframework', method: 'POST', path: '/api/messages', headers: JSON_TYPE, body: JSON.stringify(activity) } };
        },
    ),
};

// ---- staff: agent console, desk API, cases, stats -------------------------------------------

const deskAction = fc.record(
  {
    agent: anyValue,
    action: fc.oneof(
      json,
      fc.record({ kind: fc.oneof(fc.constantFrom('take_over', 'reply', 'approve', 'deny', 'hand_back'), anyValue), text: anyValue, amount: fc.oneof(fc.double(), fc.integer(), anyValue), reason: anyValue }, { requiredKeys: ['kind'] }),
    ),
  },
  { requiredKeys: [] },
);

const staff: Generator = {
  endpoint: 'staff',
  weight: 8,
  plans: fc
    .record({
      kind: fc.constantFrom('agent-page', 'desk-list', 'desk-view', 'desk-action', 'refunded', 'status', 'case', 'cases', 'stats'),
      auth: adminAuth,
      segment: hostileSegment,
      fixtureId: fc.boolean(),
      action: jsonBody(deskAction),
      refunded: jsonBody(fc.record({ reference: anyValue, refundedAt: fc.oneof(anyValue, fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'Invalid' : date.toISOString())), fc.constantFrom('2026-11-20T12:00:00+99:99', '+275760-09-13T00:00:00.000Z', '2026-02-30T00:00:00Z')), extra: json }, { requiredKeys: [] })),
      status: jsonBody(fc.record({ status: fc.oneof(fc.constantFrom(...CASE_STATUSES), anyValue), note: anyValue, actor: anyValue }, { requiredKeys: [] })),
      query: fc.record({ from: fc.oneof(fc.constantFrom('0001-01-01', '9999-12-31', '2026-02-30', '2026-11-01', '1970-01-01'), anyValue), to: fc.oneof(fc.constantFrom('9999-12-31', '2026-11-20', '0000-00-00'), anyValue), channel: anyValue, csv: fc.boolean() }, { requiredKeys: [] }),
    })
    .map(
      ({ kind, auth, segment, fixtureId, action, refunded, status, query }) =>
        (t) => {
          const conversationId = fixtureId ? t.fixtures.conversationId : segment;
          const caseId = fixtureId ? t.fixtures.caseId : segment;
          switch (kind) {
            case 'agent-page':
              return { request: { endpoint: 'agent', method: 'GET', path: fixtureId ? `/agent/insight/${segment}` : `/agent${segment.length % 2 ? '' : '/insight'}?q=${segment}` } };
            case 'desk-list':
              return { request: { endpoint: 'desk', method: 'GET', path: '/v1/desk/conversations', headers: auth } };
            case 'desk-view':
              return { request: { endpoint: 'desk', method: 'GET', path: `/v1/desk/conversations/${conversationId}`, headers: auth } };
            case 'desk-action':
              return { request: { endpoint: 'desk', method: 'POST', path: `/v1/desk/conversations/${conversationId}/actions`, headers: { ...JSON_TYPE, ...auth }, body: action() } };
            case 'refunded':
              return { request: { endpoint: 'cases.refunded', method: 'POST', path: `/v1/cases/${caseId}/refunded`, headers: { ...JSON_TYPE, ...auth }, body: refunded() } };
            case 'status':
              return { request: { endpoint: 'cases', method: 'POST', path: `/v1/cases/${caseId}/status`, headers: { ...JSON_TYPE, ...auth }, body: status() } };
            case 'case':
              return { request: { endpoint: 'cases', method: 'GET', path: `/v1/cases/${caseId}`, headers: auth } };
            case 'cases':
              return { request: { endpoint: 'cases', method: 'GET', path: `/v1/cases?orderId=${segment}`, headers: auth } };
            default: {
              const params = Object.entries(query)
                .filter(([name, value]) => name !== 'csv' && value !== undefined)
                .map(([name, value]) => `${name}=${pct(typeof value === 'string' ? value : JSON.stringify(value))}`)
                .join('&');
              return { request: { endpoint: 'stats', method: 'GET', path: `/v1/stats${query.csv ? '.csv' : ''}?${params}`, headers: auth } };
            }
          }
        },
    ),
};

// ---- the merchant's order API answering hostile things ---------------------------------------

/** What the order API stand-in answers: status, headers and body bytes, or a misbehaving connection. */
type OrderAnswer = { status: number; headers: Record<string, string>; body: () => Buffer } | { stall: 'headers' | 'body' | 'reset' | 'drip' | 'lie-length' };

let gzipBomb: Buffer | undefined;
/** 1 GiB of zeros as 16 concatenated gzip members (~1 MB on the wire). */
function gzipBombBytes(): Buffer {
  if (!gzipBomb) {
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    gzipBomb = Buffer.concat(Array.from({ length: 16 }, () => member));
  }
  return gzipBomb;
}

const orderRecord = (fields: Record<string, unknown>) => ({
  id: '100101',
  customer: { id: 'C1001', name: 'Li Lei', email: 'lilei@example.com' },
  placedAt: '2026-11-01T10:00:00Z',
  deliveredAt: '2026-11-05T10:00:00Z',
  currency: 'USD',
  paid: 10,
  items: [{ sku: 'X', name: 'X', quantity: 1, unitPrice: 10 }],
  ...fields,
});

const JSON_ANSWER = { 'content-type': 'application/json' };
const orderAnswer: fc.Arbitrary<OrderAnswer> = fc.oneof(
  { weight: 2, arbitrary: hostileJsonBody.map((body) => ({ status: 200, headers: JSON_ANSWER, body })) },
  { weight: 2, arbitrary: json.map((value) => ({ status: 200, headers: JSON_ANSWER, body: () => Buffer.from(JSON.stringify(value)) })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ id: anyValue, customer: fc.oneof(json, fc.record({ id: anyValue, name: anyValue, email: anyValue, phone: anyValue }, { requiredKeys: [] })), placedAt: anyValue, deliveredAt: anyValue, currency: anyValue, paid: fc.oneof(fc.double(), anyValue), items: fc.oneof(json, fc.array(fc.record({ sku: anyValue, name: anyValue, quantity: fc.oneof(fc.integer(), anyValue), unitPrice: fc.oneof(fc.double(), anyValue) }, { requiredKeys: [] }), { maxLength: 5 })) }, { requiredKeys: [] })
      .map((fields) => ({ status: 200, headers: JSON_ANSWER, body: () => Buffer.from(JSON.stringify(orderRecord(fields))) })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom<OrderAnswer>(
      { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipBombBytes },
      { status: 200, headers: JSON_ANSWER, body: () => Buffer.from(JSON.stringify(orderRecord({ items: Array.from({ length: 200_000 }, (_, i) => ({ sku: `S${i}`, name: 'x', quantity: 1, unitPrice: 0 })) }))) },
      { status: 200, headers: JSON_ANSWER, body: () => Buffer.alloc(30 * 1024 * 1024, 0x20) },
      { status: 200, headers: { 'content-type': 'text/html' }, body: () => Buffer.from('<html>Bad Gateway</html>') },
      { status: 200, headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: () => Buffer.from('not brotli') },
      { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' }, body: () => Buffer.alloc(0) },
      { status: 302, headers: { location: '/api/orders/100102' }, body: () => Buffer.alloc(0) },
      { status: 301, headers: { location: 'file:///etc/passwd' }, body: () => Buffer.alloc(0) },
      { status: 204, headers: {}, body: () => Buffer.alloc(0) },
      { status: 418, headers: JSON_ANSWER, body: () => Buffer.from('{}') },
      { status: 500, headers: JSON_ANSWER, body: () => Buffer.from('{"error":"boom"}') },
      { status: 429, headers: { 'retry-after': '99999999' }, body: () => Buffer.alloc(0) },
      { status: 200, headers: { 'content-type': 'application/json', 'x-injected': 'a' }, body: () => Buffer.from('{"id":"100101"}') },
      { stall: 'headers' },
      { stall: 'body' },
      { stall: 'reset' },
      { stall: 'drip' },
      { stall: 'lie-length' },
    ),
  },
);

const orderAnswers: Generator = {
  endpoint: 'orders.answers',
  weight: 4,
  plans: fc.record({ answer: orderAnswer, text: fc.constantFrom('I want a refund for order 100101', '订单100101退款', 'where is my refund for order 100102?', 'refund order 100126 please, lilei@example.com') }).map(
    ({ answer, text }) =>
      (t) => {
        let conversation = { conversationId: '', token: '' };
        return {
          prepare: async () => {
            conversation = await t.startConversation();
            t.orders.answerRaw = (_request, response) => {
              answerOrders(response, answer);
              return true;
            };
          },
          // The request is built after `prepare`: it needs the new conversation.
          get request(): FuzzRequest {
            return {
              endpoint: 'orders.answers',
              method: 'POST',
              path: `/v1/conversations/${conversation.conversationId}/activities`,
              headers: { ...JSON_TYPE, ...bearer(conversation.token) },
              body: JSON.stringify({ type: 'message', text }),
            };
          },
          cleanup: () => {
            t.orders.answerRaw = undefined;
          },
        };
      },
  ),
};

function answerOrders(response: import('node:http').ServerResponse, answer: OrderAnswer): void {
  if (!('stall' in answer)) {
    const body = answer.body();
    response.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
    response.end(body);
    return;
  }
  switch (answer.stall) {
    case 'headers':
      // Never answers; the client's deadline ends it.
      return;
    case 'body':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":"100101",');
      return;
    case 'reset':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"id":');
      response.socket?.destroy();
      return;
    case 'drip': {
      response.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (response.destroyed ? clearInterval(timer) : response.write(' ')), 20);
      response.on('close', () => clearInterval(timer));
      return;
    }
    case 'lie-length':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5' });
      response.end();
      return;
  }
}

// ---- wrong methods, content types, and the wire ------------------------------------------------

const PATHS = ['/v1/conversations', '/v1/conversations/{id}/activities', '/v1/conversations/{id}/stream', '/v1/cases/{case}/refunded', '/v1/desk/conversations', '/slack/events', '/wechat', '/api/messages', '/agent', '/v1/stats', '/healthz', '/'];
const fill = (path: string, t: FuzzTarget) => path.replace('{id}', t.fixtures.conversationId).replace('{case}', t.fixtures.caseId);

const methodsAndTypes: Generator = {
  endpoint: 'methods',
  weight: 4,
  plans: fc
    .record({
      path: fc.constantFrom(...PATHS),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'FOO'),
      contentType: fc.constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=----x',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/jsonx',
        'application/json; ' + 'a=b; '.repeat(2000),
        'image/jpeg',
        '*/*',
        '',
      ),
      body: fc.oneof(hostileJsonBody, fc.constant(() => Buffer.from('------x\r\nContent-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n------x--\r\n', 'latin1'))),
      auth: adminAuth,
    })
    .map(
      ({ path, method, contentType, body, auth }) =>
        (t) => {
          const hasBody = method !== 'GET' && method !== 'HEAD';
          const headers: Record<string, string> = { ...auth, ...(path.includes('{id}') ? bearer(t.fixtures.token) : {}) };
          if (contentType) headers['content-type'] = contentType;
          return { request: { endpoint: 'methods', method, path: fill(path, t), headers, ...(hasBody ? { body: body() } : {}), stream: path.endsWith('/stream') } };
        },
    ),
};

const wire: Generator = {
  endpoint: 'wire',
  weight: 5,
  plans: fc
    .record({
      path: fc.constantFrom(...PATHS),
      trick: fc.constantFrom(
        'crlf-in-value',
        'bare-lf',
        'bare-cr',
        'nul-in-value',
        'oversized-header',
        'many-headers',
        'duplicate-content-type',
        'short-content-length',
        'long-content-length',
        'two-content-lengths',
        'cl-and-te',
        'bad-chunk',
        'te-gzip',
        'gzip-body',
        'bad-method',
        'http10',
        'absolute-uri',
        'invalid-utf8-path',
        'long-url',
        'space-in-header-name',
        'header-obs-fold',
        'expect-continue',
        'utf8-header-value',
        'smuggle',
      ),
      body: hostileJsonBody,
    })
    .map(
      ({ path, trick, body }) =>
        (t) => {
          const target = fill(path, t);
          const host = `Host: ${new URL(t.url).host}`;
          const bytes = Buffer.from(body());
          const base = [host, 'Connection: close', 'Content-Type: application/json', `Authorization: Bearer ${t.fixtures.token}`];
          const withLength = [...base, `Content-Length: ${bytes.length}`];
          const raw = ((): Buffer => {
            switch (trick) {
              case 'crlf-in-value':
                return rawRequest('POST', target, [...withLength, 'X-Fuzz: a\r\nSet-Cookie: injected=1'], bytes);
              case 'bare-lf':
                return rawRequest('POST', target, [...withLength, 'X-Fuzz: a\nInjected: 1'], bytes);
              case 'bare-cr':
                return rawRequest('POST', target, [...withLength, 'X-Fuzz: a\rInjected: 1'], bytes);
              case 'nul-in-value':
                return rawRequest('POST', target, [...withLength, 'X-Fuzz: a\0b'], bytes);
              case 'oversized-header':
                return rawRequest('POST', target, [...withLength, `X-Fuzz: ${'a'.repeat(20_000)}`], bytes);
              case 'many-headers':
                return rawRequest('POST', target, [...withLength, ...Array.from({ length: 3000 }, (_, i) => `X-F${i}: ${i}`)], bytes);
              case 'duplicate-content-type':
                return rawRequest('POST', target, [...withLength, 'Content-Type: text/xml', 'Content-Type: application/x-www-form-urlencoded'], bytes);
              case 'short-content-length':
                return rawRequest('POST', target, [...base, `Content-Length: ${Math.max(0, bytes.length - 3)}`], bytes);
              case 'long-content-length':
                return rawRequest('POST', target, [...base, `Content-Length: ${bytes.length + 1000}`], bytes);
              case 'two-content-lengths':
                return rawRequest('POST', target, [...base, `Content-Length: ${bytes.length}`, 'Content-Length: 0'], bytes);
              case 'cl-and-te':
                return rawRequest('POST', target, [...base, `Content-Length: ${bytes.length}`, 'Transfer-Encoding: chunked'], bytes);
              case 'bad-chunk':
                return rawRequest('POST', target, [...base, 'Transfer-Encoding: chunked'], Buffer.concat([Buffer.from('zz\r\n'), bytes, Buffer.from('\r\n0\r\n\r\n')]));
              case 'te-gzip':
                return rawRequest('POST', target, [...base, 'Transfer-Encoding: gzip, chunked'], Buffer.from(`${bytes.length.toString(16)}\r\n${bytes.toString('latin1')}\r\n0\r\n\r\n`, 'latin1'));
              case 'gzip-body': {
                const zipped = gzipSync(bytes);
                return rawRequest('POST', target, [...base, 'Content-Encoding: gzip', `Content-Length: ${zipped.length}`], zipped);
              }
              case 'bad-method':
                return rawRequest('G\0ET', target, [host, 'Connection: close']);
              case 'http10':
                return Buffer.from(`POST ${target} HTTP/1.0\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n\r\n${bytes.toString('latin1')}`, 'latin1');
              case 'absolute-uri':
                return rawRequest('GET', `http://evil.example${target}`, [host, 'Connection: close']);
              case 'invalid-utf8-path':
                return Buffer.concat([Buffer.from('GET /v1/conversations/'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0x00]), Buffer.from(`/activities HTTP/1.1\r\n${host}\r\nConnection: close\r\n\r\n`)]);
              case 'long-url':
                return rawRequest('GET', `${target}?q=${'a'.repeat(100_000)}`, [host, 'Connection: close']);
              case 'space-in-header-name':
                return rawRequest('POST', target, [...withLength, 'Content Type: text/xml'], bytes);
              case 'header-obs-fold':
                return rawRequest('POST', target, [...withLength, 'X-Fuzz: a', ' folded: yes'], bytes);
              case 'expect-continue':
                return rawRequest('POST', target, [...withLength, 'Expect: 100-continue'], bytes);
              case 'utf8-header-value':
                return Buffer.concat([rawRequest('POST', target, [...withLength]).subarray(0, -2), Buffer.from('X-Fuzz: '), Buffer.from([0xe2, 0x80, 0xae, 0xff, 0xc0]), Buffer.from('\r\n\r\n'), bytes]);
              case 'smuggle': {
                const second = `POST /v1/conversations HTTP/1.1\r\n${host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;
                return rawRequest('POST', target, [host, 'Content-Type: application/json', `Content-Length: 0`, 'Transfer-Encoding: chunked'], `0\r\n\r\n${second}`);
              }
            }
          })();
          return { request: { endpoint: 'wire', method: 'RAW', path: `${trick} ${path}`, raw, halfClose: trick === 'long-content-length' } };
        },
    ),
};

/** Every generator, by endpoint. */
export const GENERATORS: readonly Generator[] = [conversationStart, conversationMessage, conversationUpload, conversationReads, slack, wechat, botframework, staff, orderAnswers, methodsAndTypes, wire];

/** One plan per step, picked by weight, reproducible from `seed`. */
export function planAt(seed: number, index: number, generators: readonly Generator[] = GENERATORS): Plan {
  const all = fc.oneof(...generators.map((generator) => ({ weight: generator.weight, arbitrary: generator.plans })));
  const [plan] = fc.sample(all, { numRuns: 1, seed: seed + index });
  if (!plan) throw new Error('fast-check produced no plan');
  return plan;
}

/**
 * Requests with bodies at and over each body limit, built only when sent: `limits` just over each
 * (the server's 70 MiB, WeChat's 1 MiB, Slack's 10 MiB), `all` also a text and five files that
 * fit the server's limit but not their own (over 100 MB sent in all: for `npm run fuzz`).
 */
export function hugeBodies(t: FuzzTarget, which: 'limits' | 'all'): (() => FuzzCase)[] {
  const { conversationId, token } = t.fixtures;
  const post = (endpoint: string, path: string, headers: Record<string, string>, body: () => Buffer) => (): FuzzCase => ({ request: { endpoint, method: 'POST', path, headers, body: body(), timeoutMs: 120_000 } });
  const conversation = `/v1/conversations/${conversationId}/activities`;
  const auth = { ...JSON_TYPE, ...bearer(token) };
  const bigFile = () => ({ contentType: 'image/jpeg', name: 'big.jpg', contentUrl: `data:image/jpeg;base64,${Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64')}` });
  const limits = [
    post('conversation.message', conversation, auth, () => Buffer.alloc(70 * 1024 * 1024 + 1, 0x20)),
    post('wechat.unsigned', '/wechat?signature=x&timestamp=1&nonce=1', { 'content-type': 'text/xml' }, () => Buffer.alloc(1024 * 1024 + 1, 0x41)),
    post('slack.unsigned', '/slack/events', JSON_TYPE, () => Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)),
  ];
  if (which === 'limits') return limits;
  return [
    ...limits,
    post('conversation.message', conversation, auth, () => Buffer.from(JSON.stringify({ type: 'message', text: 'a'.repeat(60 * 1024 * 1024) }))),
    post('conversation.upload', conversation, auth, () => Buffer.from(JSON.stringify({ type: 'message', attachments: Array.from({ length: 5 }, bigFile) }))),
    post('botframework', '/api/messages', JSON_TYPE, () => Buffer.alloc(70 * 1024 * 1024 + 1, 0x20)),
  ];
}
