import { z } from 'zod';
import type { Logger } from '../../log/logger.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../api/schemas.ts';
import { readAtMost } from '../../http/readAtMost.ts';

/**
 * Downloading the files people share in Slack, for both sides of the app: files agents attach to
 * a reply in a card's thread (the desk) and files customers send in a direct message (the
 * customer channel). One place decides where the bot token may be sent, how big a file may be
 * and how long a download may take.
 */

/** Where Slack serves the files shared in a workspace (`url_private_download`). */
export const SLACK_FILES_ORIGIN = 'https://files.slack.com';

/** A whole download, redirects included: a stuck download must not hold a listener for ever. */
const DOWNLOAD_TIMEOUT_MS = 30_000;
/** Slack may hand a file over through a redirect or two (each checked like the first URL). */
const MAX_REDIRECTS = 3;

/**
 * The parts of a Slack file object we read, from a message event's `files[]`.
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

/** Why a shared file could not be downloaded. */
export type DownloadRefusal =
  | 'too_large' // over the size cap (declared by Slack, or counted while downloading)
  | 'no_link' // Slack gave no download link (a Slack Connect stub, an external file)
  | 'foreign_link' // the link is not on Slack's API host or file server: never fetched
  | 'download_failed'; // Slack did not hand the file over

/** Why a file of a message was not taken: a download refusal, one past the per-message limit, or the taker's own reason. */
export type TakeRefusal<R extends string> = DownloadRefusal | 'too_many' | R;

/** What the taker did with one downloaded file: kept it (as `value`), or refused it. */
export type TakeOutcome<T, R extends string> = { ok: true; value: T } | { ok: false; refusal: R };

/**
 * The origins the app downloads files from: Slack's file server and the configured Web API's
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

export interface SlackFileDownloaderOptions {
  /** The bot token (`xoxb-…`); Slack's file server answers only requests that carry it (scope `files:read`). */
  token: string | undefined;
  /** The Web API base URL the client calls (`SLACK_API_URL`). */
  slackApiUrl: string;
  logger: Logger;
  fetch?: typeof fetch;
  /** Largest file fetched; the limit of customers' proof (10 MB) by default. */
  maxBytes?: number;
  /** Files taken from one message; the rest are refused as `too_many`. */
  maxFiles?: number;
  timeoutMs?: number;
}

/**
 * Fetches files shared in Slack with the bot token, only from the allowed origins (redirects
 * included, each hop checked before the token goes there), at most `maxBytes` each (Slack's
 * declared size spares a pointless download; the bytes are counted all the same) and within a
 * timeout. Never throws: a file it cannot fetch is answered with the reason.
 * https://docs.slack.dev/messaging/working-with-files#downloading
 */
export class SlackFileDownloader {
  readonly #token: string | undefined;
  readonly #origins: ReadonlySet<string>;
  readonly #logger: Logger;
  readonly #fetch: typeof fetch;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #timeoutMs: number;

  constructor(options: SlackFileDownloaderOptions) {
    this.#token = options.token;
    this.#origins = allowedFileOrigins(options.slackApiUrl);
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? fetch;
    this.#maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
    this.#maxFiles = options.maxFiles ?? MAX_ATTACHMENTS;
    this.#timeoutMs = options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  /**
   * The files of one message, one at a time (memory stays at one file's worth), in order: each
   * is downloaded and handed to `keep`, which stores or converts it, or refuses it. Files past
   * `maxFiles` are refused without a download.
   */
  async take<T, R extends string>(
    files: readonly unknown[],
    keep: (bytes: Uint8Array, name: string, file: SlackFile) => Promise<TakeOutcome<T, R>>,
  ): Promise<{ kept: T[]; refused: { name: string; refusal: TakeRefusal<R> }[] }> {
    const kept: T[] = [];
    const refused: { name: string; refusal: TakeRefusal<R> }[] = [];
    for (const [index, raw] of files.entries()) {
      const parsed = SlackFile.safeParse(raw);
      const file = parsed.success ? parsed.data : {};
      const name = file.name || file.title || 'file';
      if (index >= this.#maxFiles) {
        refused.push({ name, refusal: 'too_many' });
        continue;
      }
      const download = await this.download(file);
      const outcome = download.ok ? await keep(download.bytes, name, file) : download;
      if (outcome.ok) kept.push(outcome.value);
      else refused.push({ name, refusal: outcome.refusal });
    }
    return { kept, refused };
  }

  /** One file's bytes, or why not. */
  async download(file: SlackFile): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; refusal: DownloadRefusal }> {
    if (typeof file.size === 'number' && file.size > this.#maxBytes) return { ok: false, refusal: 'too_large' };
    const url = file.url_private_download ?? file.url_private;
    if (!url) return { ok: false, refusal: 'no_link' };
    if (!isAllowedFileUrl(url, this.#origins)) {
      // Host only: the path of a private link is as good as a credential.
      this.#logger.warn({ fileId: file.id, host: parseUrl(url)?.host }, 'slack: file link outside Slack refused, not fetched');
      return { ok: false, refusal: 'foreign_link' };
    }
    return this.#fetchFollowing(url, file.id);
  }

  async #fetchFollowing(url: string, fileId: string | undefined): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; refusal: DownloadRefusal }> {
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
            this.#logger.warn({ fileId, host: parseUrl(next)?.host, hop }, 'slack: file download redirected outside Slack; stopped');
            return { ok: false, refusal: hop >= MAX_REDIRECTS ? 'download_failed' : 'foreign_link' };
          }
          target = next;
          continue;
        }
        if (response.status !== 200) {
          await response.body?.cancel();
          this.#logger.warn({ fileId, status: response.status }, 'slack: file download failed');
          return { ok: false, refusal: 'download_failed' };
        }
        // Without the files:read scope (or with a wrong token) Slack answers 200 with its
        // sign-in page rather than an error: say so instead of blaming the file's type.
        if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
          await response.body?.cancel();
          this.#logger.warn({ fileId }, 'slack: Slack answered a file download with a web page (is the files:read scope granted?)');
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
      this.#logger.warn({ err: error, fileId }, 'slack: file download failed');
      return { ok: false, refusal: 'download_failed' };
    }
  }
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
