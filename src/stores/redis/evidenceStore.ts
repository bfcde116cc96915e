import type { Clock } from '../../domain/clock.ts';
import type { EvidenceRef } from '../../domain/case.ts';
import { isBlobId } from '../../evidence/blobDirectory.ts';
import { EVIDENCE_EXTENSIONS, type EvidenceContentType } from '../../evidence/contentType.ts';
import { inspectEvidence } from '../../evidence/inspect.ts';
import type { EvidenceStore } from '../ports.ts';
import type { RedisKeys } from './keys.ts';
import { defineLua, type RedisLink } from './link.ts';
import { corrupt } from './records.ts';
import { arrayReply, optionalBufferReply } from './replies.ts';

const CONTENT_TYPES = Object.keys(EVIDENCE_EXTENSIONS) as EvidenceContentType[];

/**
 * KEYS: the evidence hash, the conversation's uploads. ARGV: bytes, content type, size, name,
 * conversation id, created ms, TTL ms, evidence id, upload JSON. Stores the file unless its hash
 * is there already (the first upload's name and conversation stay), records the upload (field
 * `up:<conversation id>` = its name, and in the conversation's uploads) and restarts both TTLs:
 * a file lives as long as the last conversation that uploaded it (the turn commit restarts them
 * with the conversation's). Returns 1 when stored, 0 when it was already there.
 */
const PUT_EVIDENCE = defineLua(
  'put evidence',
  `
local stored = 0
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'bytes', ARGV[1], 'contentType', ARGV[2], 'size', ARGV[3],
    'name', ARGV[4], 'conversationId', ARGV[5], 'createdAt', ARGV[6])
  stored = 1
end
redis.call('HSET', KEYS[1], 'up:' .. ARGV[5], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[8], ARGV[9])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return stored
`,
);

/** The evidence store's scripts, loaded at start-up. */
export const EVIDENCE_SCRIPTS = [PUT_EVIDENCE];

/**
 * Proof files in Redis, where every instance can read them: one hash per file, keyed by the
 * SHA-256 of its bytes, holding the bytes (binary-safe) and the index fields the embedded store
 * keeps in sqlite. A file expires with the last conversation that uploaded it (cases keep its
 * metadata, not its bytes); files stored before uploads were recorded never expire. Fine up to the 10 MB limit; at
 * larger volumes a merchant should keep proof in object storage (Redis holds it all in memory).
 */
export class RedisEvidenceStore implements EvidenceStore {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #ttlMs: number;

  constructor(options: { link: RedisLink; keys: RedisKeys; clock: Clock; maxBytes: number; ttlMs: number }) {
    this.#ttlMs = options.ttlMs;
    this.#link = options.link;
    this.#keys = options.keys;
    this.#clock = options.clock;
    this.#maxBytes = options.maxBytes;
  }

  /**
   * The returned ref carries this upload's own sanitised name, so a customer never sees the
   * name another customer gave the same bytes.
   */
  async put(bytes: Uint8Array, meta: { name: string; conversationId: string }): Promise<EvidenceRef> {
    const ref = await inspectEvidence(bytes, meta.name, this.#maxBytes);
    const now = this.#clock.now().getTime();
    await this.#link.script(
      PUT_EVIDENCE,
      [this.#keys.evidence(ref.id), this.#keys.conversationEvidence(meta.conversationId)],
      [
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        ref.contentType,
        String(ref.size),
        ref.name,
        meta.conversationId,
        String(now),
        String(this.#ttlMs),
        ref.id,
        JSON.stringify({ name: ref.name, uploadedAt: now }),
      ],
    );
    return ref;
  }

  async get(id: string): Promise<{ ref: EvidenceRef; bytes: Uint8Array } | undefined> {
    if (!isBlobId(id)) return undefined;
    const reply = arrayReply(
      await this.#link.binaryCommand(['HMGET', this.#keys.evidence(id), 'bytes', 'contentType', 'size', 'name']),
      'HMGET evidence',
    );
    const [bytes, contentType, size, name] = reply.map((value) => optionalBufferReply(value, 'HMGET evidence'));
    if (!bytes || !contentType || !size || !name) return undefined;
    const what = `Evidence ${id}`;
    const type = contentType.toString('utf8') as EvidenceContentType;
    if (!CONTENT_TYPES.includes(type)) throw corrupt(what, 'contentType', 'a proof file type');
    const length = Number(size.toString('utf8'));
    if (length !== bytes.byteLength) throw corrupt(what, 'size', `the length of its bytes (${bytes.byteLength})`);
    return {
      ref: { id, contentType: type, size: length, name: name.toString('utf8') },
      bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    };
  }
}
