/** Fuzz generators for wrong methods and content types, and requests malformed on the wire. */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type FuzzTarget } from './target.ts';
import { rawRequest } from './wire.ts';
import { adminAuth, bearer, hostileJsonBody, type Generator } from './blocks.ts';

// ---- wrong methods, content types, and the wire ------------------------------------------------

const PATHS = ['/v1/conversations', '/v1/conversations/{id}/activities', '/v1/conversations/{id}/stream', '/v1/cases/{case}/refunded', '/v1/desk/conversations', '/slack/events', '/wechat', '/api/messages', '/agent', '/v1/stats', '/healthz', '/'];
const fill = (path: string, t: FuzzTarget) => path.replace('{id}', t.fixtures.conversationId).replace('{case}', t.fixtures.caseId);

export const methodsAndTypes: Generator = {
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

export const wire: Generator = {
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
