/** Fuzz generators for the customer conversation API: start, messages, uploads, reads. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { CUSTOMER_TOKEN_SECRET } from './target.ts';
import { anyValue, bearer, hostileAttachment, hostileSegment, hostileString, JSON_TYPE, json, jsonBody, maybe, pct, type Generator } from './blocks.ts';

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

export const conversationMessage: Generator = {
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

export const conversationUpload: Generator = {
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

export const conversationStart: Generator = {
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

export const conversationReads: Generator = {
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
