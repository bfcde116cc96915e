import { z } from 'zod';
import { CodedError } from '../../errors.ts';
import type { AgentFile } from '../../handoff/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { EvidenceStore } from '../../stores/ports.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../api/schemas.ts';

/** Where Slack serves the files shared in a workspace (`url_private_download`). */
export const SLACK_FILES_ORIGIN = 'https://files.slack.com';

/** A whole download, redirects included: a stuck download must not hold a listener for ever. */
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** Slack may hand a file over through a redirect or two (each checked like the first URL). */
const MAX_REDIRECTS = 3;

/**
 * The parts of a Slack file object the desk reads, from a message event's `files[]`.
 * https://docs.slack.dev/reference/objects/file-object — a file from a Slack Connect channel
 * can come as a stub (`file_access: "check_file_info"`) without `url_private_download`.
 */
export const SlackFile = z.object({
  id: z.string().optional(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
  url_private_download: z.string().nullish(),
  url_private: z.string().nullish(),
});
export type SlackFile = z.infer<typeof SlackFile>;

/** Why a file an agent attached was not sent to the customer. */
export type FileRefusal =
  | 'too_many' // past the 5 files a message can carry
  | 'too_large' // over 10 MB (declared by Slack, or counted while downloading)
  | 'unsupported_type' // not JPEG, PNG, WebP or PDF by its bytes
  | 'no_link' // Slack gave no download link (a Slack Connect stub, an external file)
  | 'foreign_link' // the link is not on Slack's API host or file server: never fetched
  | 'download_failed' // Slack did not hand the file over
  | 'store_failed'; // our evidence store failed

export interface FileIntake {
  /** Files stored in the evidence store, in the order the agent attached them. */
  sent: AgentFile[];
  refused: { name: string; refusal: FileRefusal }[];
}

/**
 * The origins the desk downloads files from: Slack's file server and the configured Web API's
 * origin (a stand-in in tests and staging). Anything else in a payload is never fetched: the
 * request carries the bot token, and the event is only as trustworthy as its signature.
 */
export function allowedFileOrigins(slackApiUrl: string): ReadonlySet<string> {
  const origins = new Set([SLACK_FILES_ORIGIN]);
  const api = parseUrl(slackApiUrl);
  if (api && isHttp(api)) origins.add(api.origin);
  return origins;
}

/**
 * True when `url` may be fetched with the bot token: an http(s) URL without credentials whose
 * origin (scheme, host and port, as the URL parser normalises them) is one of `origins`.
 * `https://files.slack.com.evil.example/…` or `https://files.slack.com@evil.example/…` are
 * other origins.
 */
export function isAllowedFileUrl(url: string, origins: ReadonlySet<string>): boolean {
  const parsed = parseUrl(url);
  return !!parsed && isHttp(parsed) && !parsed.username && !parsed.password && origins.has(parsed.origin);
}

/**
 * Brings the files an agent attached to a thread reply into the evidence store, where the
 * customer can download them from their own conversation: each is downloaded from Slack with the
 * bot token (only from the allowed origins, redirects included) and stored through
 * `EvidenceStore.put`, which checks the type from the bytes and the size — the limits of
 * customers' proof, so the customer never receives what they could not have sent. Files it
 * refuses are reported, the rest kept. Never throws.
 */
export class SlackFileIntake {
  readonly #evidence: EvidenceStore;
  readonly #token: string | undefined;
  readonly #origins: ReadonlySet<string>;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #timeoutMs: number;

  constructor(options: {
    evidence: EvidenceStore;
    /** The bot token (`xoxb-…`); Slack's file server answers only requests that carry it. */
    token: string | undefined;
    /** The Web API base URL the desk's client calls (`SLACK_API_URL`). */
    slackApiUrl: string;
    logger: Logger;
    fetch?: typeof fetch;
    maxBytes?: number;
    maxFiles?: number;
    timeoutMs?: number;
  }) {
    this.#evidence = options.evidence;
    this.#token = options.token;
    this.#origins = allowedFileOrigins(options.slackApiUrl);
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? fetch;
    this.#maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
    this.#maxFiles = options.maxFiles ?? MAX_ATTACHMENTS;
    this.#timeoutMs = options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  }

  async take(files: readonly unknown[], conversationId: string): Promise<FileIntake> {
    const intake: FileIntake = { sent: [], refused: [] };
    // One at a time: at most five files of 10 MB, and memory stays at one file's worth.
    for (const [index, raw] of files.entries()) {
      const parsed = SlackFile.safeParse(raw);
      const file = parsed.success ? parsed.data : {};
      const name = file.name || file.title || 'file';
      const refusal = index >= this.#maxFiles ? 'too_many' : await this.#store(file, name, conversationId, intake);
      if (refusal) intake.refused.push({ name, refusal });
    }
    return intake;
  }

  /** Stores one file and adds it to `intake.sent`; answers why not otherwise. */
  async #store(file: SlackFile, name: string, conversationId: string, intake: FileIntake): Promise<FileRefusal | undefined> {
    // Slack's declared size spares a pointless download; the bytes are still counted below.
    if (typeof file.size === 'number' && file.size > this.#maxBytes) return 'too_large';
    const url = file.url_private_download ?? file.url_private;
    if (!url) return 'no_link';
    if (!isAllowedFileUrl(url, this.#origins)) {
      // Host only: the path of a private link is as good as a credential.
      this.#logger.warn({ fileId: file.id, host: parseUrl(url)?.host }, 'slack desk: file link outside Slack refused, not fetched');
      return 'foreign_link';
    }
    const download = await this.#download(url, file.id);
    if (!download.ok) return download.refusal;
    try {
      const ref = await this.#evidence.put(download.bytes, { name, conversationId });
      intake.sent.push({ evidenceId: ref.id, name: ref.name, contentType: ref.contentType });
      return undefined;
    } catch (error) {
      if (error instanceof CodedError && error.code === 'file_too_large') return 'too_large';
      if (error instanceof CodedError && error.code === 'unsupported_file_type') {
        this.#logger.info({ fileId: file.id, declared: file.mimetype }, 'slack desk: agent file refused by its bytes');
        return 'unsupported_type';
      }
      this.#logger.error({ err: error, fileId: file.id, conversationId }, 'slack desk: could not store an agent file');
      return 'store_failed';
    }
  }

  async #download(url: string, fileId: string | undefined): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; refusal: FileRefusal }> {
    if (!this.#token) return { ok: false, refusal: 'download_failed' };
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let target = url;
    try {
      for (let hop = 0; ; hop += 1) {
        // Redirects are followed by hand, so every hop is checked before the token goes there.
        const response = await this.#fetch(target, { headers: { authorization: `Bearer ${this.#token}` }, redirect: 'manual', signal });
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          const next = new URL(location, target).href;
          if (hop >= MAX_REDIRECTS || !isAllowedFileUrl(next, this.#origins)) {
            this.#logger.warn({ fileId, host: parseUrl(next)?.host, hop }, 'slack desk: file download redirected outside Slack; stopped');
            return { ok: false, refusal: hop >= MAX_REDIRECTS ? 'download_failed' : 'foreign_link' };
          }
          target = next;
          continue;
        }
        if (response.status !== 200) {
          await response.body?.cancel();
          this.#logger.warn({ fileId, status: response.status }, 'slack desk: file download failed');
          return { ok: false, refusal: 'download_failed' };
        }
        // Without the files:read scope (or with a wrong token) Slack answers 200 with its
        // sign-in page rather than an error: say so instead of blaming the file's type.
        if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
          await response.body?.cancel();
          this.#logger.warn({ fileId }, 'slack desk: Slack answered a file download with a web page (is the files:read scope granted?)');
          return { ok: false, refusal: 'download_failed' };
        }
        const declared = Number(response.headers.get('content-length'));
        if (Number.isFinite(declared) && declared > this.#maxBytes) {
          await response.body?.cancel();
          return { ok: false, refusal: 'too_large' };
        }
        const bytes = await readAtMost(response, this.#maxBytes);
        return bytes ? { ok: true, bytes } : { ok: false, refusal: 'too_large' };
      }
    } catch (error) {
      this.#logger.warn({ err: error, fileId }, 'slack desk: file download failed');
      return { ok: false, refusal: 'download_failed' };
    }
  }
}

/** The body, or undefined as soon as it passes `maxBytes` (the rest is never read). */
async function readAtMost(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'http:';
}
