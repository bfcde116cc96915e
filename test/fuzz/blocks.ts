import fc from 'fast-check';
import { ATTACHMENT_TYPES } from '../../src/channels/api/schemas.ts';
import { ADMIN_TOKEN } from '../support/server.ts';
import { BIG_FILES, HOSTILE_FILE_NAMES, HOSTILE_FILES, HOSTILE_JSON, HOSTILE_STRINGS } from './corpus.ts';
import { type FuzzTarget } from './target.ts';
import { type FuzzRequest } from './wire.ts';

/** The fuzz generators' shared pieces: the case and generator types, and hostile building blocks. */

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

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u202E', '\uD800', '\r', '\n', '%', '/', '\\', '.', '"', "'", '<', '&', ';', 'a', '0'), maxLength: 60 }) },
);
export const json = fc.jsonValue({ maxDepth: 4 });
export const anyValue = fc.oneof(hostileString, json);
export const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
export const hostileJsonBody = fc.constantFrom(...HOSTILE_JSON);
/** Percent-encodes every byte of the text's UTF-8 (lone surrogates become U+FFFD, as a browser sends them). */
export const pct = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
/** A path segment: a hostile string, percent-encoded, or a known traversal. */
export const hostileSegment = fc.oneof(
  hostileString.map((text) => pct(text) || '%20'),
  fc.constantFrom('..', '%2e%2e', '..%2f..%2f..%2fetc%2fpasswd', '%00', '%ff%fe', '%c0%ae%c0%ae', '..%5c..%5cwindows', 'a'.repeat(3000), '%E2%80%AE', 'x%0d%0aSet-Cookie:%20a=b'),
);

export const JSON_TYPE = { 'content-type': 'application/json' };
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const withoutUndefined = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));

/** Admin credentials: none, wrong, malformed, or right (most often, so the parsing after them runs). */
export const adminAuth = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Record<string, string>>(bearer(ADMIN_TOKEN)) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: hostileString.map((text) => ({ authorization: `Bearer ${text.replace(/[\r\n\0]/g, '') || 'x'}` })) },
  { weight: 1, arbitrary: fc.constantFrom<Record<string, string>>({ authorization: 'Basic YWRtaW46YWRtaW4=' }, { authorization: 'Bearer' }, { authorization: `Bearer ${ADMIN_TOKEN} extra` }, { authorization: `bearer ${ADMIN_TOKEN}x` }) },
);

/** A body: a hostile JSON document, random JSON, or a shaped object. */
export function jsonBody(shaped: fc.Arbitrary<unknown>): fc.Arbitrary<() => string | Buffer> {
  return fc.oneof(
    { weight: 1, arbitrary: hostileJsonBody },
    { weight: 1, arbitrary: json.map((value) => () => JSON.stringify(value)) },
    { weight: 3, arbitrary: shaped.map((value) => () => JSON.stringify(value)) },
  );
}

/** A data: URL attachment from the hostile files, or a broken one. */
export const hostileAttachment = fc.oneof(
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
