/** Fuzz generators for the channel webhooks: Slack (unsigned and correctly signed), WeChat XML, /api/messages. */
import fc from 'fast-check';
import { WeChatCipher, wechatSignature } from '../../src/channels/wechat/crypto.ts';
import { DESK_ACTIONS, DESK_VIEWS } from '../../src/channels/slack-desk/actions.ts';
import { ATTACHMENT_TYPES } from '../../src/channels/api/schemas.ts';
import { DESK_AGENT, DESK_CHANNEL, DESK_SECRET } from '../support/slackDesk.ts';
import { slackSignature } from '../support/slackSigner.ts';
import { BIG_FILES, HOSTILE_FILE_NAMES, HOSTILE_FILES, HOSTILE_XML, type HostileFile } from './corpus.ts';
import { type FuzzTarget, WECHAT } from './target.ts';
import { anyValue, hostileJsonBody, hostileString, JSON_TYPE, json, type Generator } from './blocks.ts';

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

export const slack: Generator = {
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

export const wechat: Generator = {
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

export const botframework: Generator = {
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
