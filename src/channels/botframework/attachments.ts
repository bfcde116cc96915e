import { decodeDataUrl } from '../../bot/evidenceIntake.ts';
import { CodedError, InputError, UpstreamError } from '../../errors.ts';
import { inspectEvidence } from '../../evidence/inspect.ts';
import { MAX_ATTACHMENT_BYTES } from '../api/schemas.ts';
import { type InboundActivity, TEAMS, TEAMS_FILE_DOWNLOAD_INFO, TeamsFileDownloadInfo } from './activity.ts';
import type { InboundAuth } from './connector.ts';

/** How a file host is reached: with the bot's token, without, or (undefined) never. */
export type HostAccess = 'bot-token' | 'anonymous' | undefined;

/** A customer's file named in an activity, before it is fetched. */
export interface InboundFile {
  name: string;
  /** http(s) link, or an inline data: URL. The type the channel declares is not trusted: the bytes decide. */
  url: string;
}

/** A fetched file, as the conversation gateway takes it. */
export interface FetchedFile {
  name: string;
  contentType: string;
  contentUrl: string;
}

const MAX_REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 20_000;

/**
 * The files of a message: Emulator / Web Chat uploads (`contentUrl` on the channel's service),
 * Teams inline images (`image/*` on the Connector) and Teams files (download info with a
 * SharePoint link). Cards, Teams' HTML copy of the message and other attachment kinds are not files.
 */
export function inboundFiles(activity: InboundActivity): InboundFile[] {
  const files: InboundFile[] = [];
  for (const [index, attachment] of (activity.attachments ?? []).entries()) {
    // Teams inline images have no name; the customer hears about a file by its name.
    const fallbackName = `${attachment.contentType.startsWith('image/') ? 'image' : 'file'}-${index + 1}`;
    if (attachment.contentType === TEAMS_FILE_DOWNLOAD_INFO) {
      const info = TeamsFileDownloadInfo.safeParse(attachment.content);
      // A download info we cannot read is still a file the customer sent: it fails, and they hear so.
      files.push({ name: attachment.name ?? fallbackName, url: info.success ? info.data.downloadUrl : '' });
      continue;
    }
    if (typeof attachment.contentUrl !== 'string' || attachment.contentType === 'text/html' || attachment.contentType.startsWith('application/vnd.microsoft.')) continue;
    files.push({ name: attachment.name ?? fallbackName, url: attachment.contentUrl });
  }
  return files;
}

/**
 * Where a message's files may be fetched from — nothing else, so an activity cannot make the
 * server fetch an address of its choosing (SSRF): the activity's own service (its origin: the
 * Emulator's, Web Chat's / Direct Line's, the Teams Connector's), with the bot's token; for Teams
 * also Microsoft's media store (`*.asm.skype.com`, inline images) with the token, and SharePoint
 * / OneDrive (`*.sharepoint.com`, files) without it — those links are pre-authenticated and must
 * never see our token. https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bots-filesv4
 */
export function hostAccess(activity: Pick<InboundActivity, 'serviceUrl' | 'channelId'>): (url: URL) => HostAccess {
  const serviceOrigin = new URL(activity.serviceUrl).origin;
  return (url) => {
    if (url.origin === serviceOrigin) return 'bot-token';
    if (activity.channelId !== TEAMS || url.protocol !== 'https:' || url.port !== '') return undefined;
    const host = url.hostname.toLowerCase();
    if (host.endsWith('.asm.skype.com')) return 'bot-token';
    if (host.endsWith('.sharepoint.com')) return 'anonymous';
    return undefined;
  };
}

/**
 * Fetches customers' files named in activities: only from allowed hosts (checked again on every
 * redirect, the token sent only where allowed), at most `maxBytes` (refused from Content-Length,
 * else while reading), within a timeout. The result is inline (data: URLs), so the evidence
 * intake checks the bytes and stores them within the turn, as for every channel.
 */
export class AttachmentFetcher {
  readonly #maxBytes: number;
  readonly #timeoutMs: number;

  constructor(options: { maxBytes?: number; timeoutMs?: number } = {}) {
    this.#maxBytes = options.maxBytes ?? MAX_ATTACHMENT_BYTES;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Fetches and checks one file of a message, or throws a CodedError: `file_too_large`,
   * `unsupported_file_type` (InputError, the type sniffed from the bytes),
   * `attachment_not_allowed` (InputError: a host off the list), `attachment_download_failed`
   * (UpstreamError: unreachable, an error status, too slow).
   */
  async fetch(file: InboundFile, access: (url: URL) => HostAccess, auth: InboundAuth): Promise<FetchedFile> {
    try {
      return await this.#fetch(file, access, auth);
    } catch (error) {
      if (error instanceof CodedError) throw error;
      throw new UpstreamError('attachment_download_failed', 'could not fetch a file', { cause: error });
    }
  }

  async #fetch(file: InboundFile, access: (url: URL) => HostAccess, auth: InboundAuth): Promise<FetchedFile> {
    if (file.url.startsWith('data:')) {
      // Some clients inline small files; the evidence intake decodes and checks them.
      const base64 = file.url.slice(file.url.indexOf(',') + 1);
      if (Math.floor((base64.length * 3) / 4) > this.#maxBytes) throw tooLarge(this.#maxBytes);
      const ref = await inspectEvidence(decodeDataUrl(file.url), file.name, this.#maxBytes);
      return { name: file.name, contentType: ref.contentType, contentUrl: file.url };
    }
    let url: URL;
    try {
      url = new URL(file.url);
    } catch {
      throw new UpstreamError('attachment_download_failed', 'the file has no usable link');
    }
    const signal = AbortSignal.timeout(this.#timeoutMs);
    for (let hop = 0; ; hop += 1) {
      const how = access(url);
      if (how === undefined) throw new InputError('attachment_not_allowed', `files are not fetched from ${url.origin}`, 403);
      const headers: Record<string, string> = {};
      if (how === 'bot-token') {
        const token = await auth.token();
        if (token) headers.authorization = `Bearer ${token}`;
      }
      let response: Response;
      try {
        response = await fetch(url, { headers, redirect: 'manual', signal });
      } catch (error) {
        // The link (a SharePoint one carries a credential) stays out of the message: the origin only.
        throw new UpstreamError('attachment_download_failed', `fetching a file from ${url.origin} failed`, { cause: error });
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new UpstreamError('attachment_download_failed', 'too many redirects fetching a file');
        url = new URL(location, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new UpstreamError('attachment_download_failed', `${url.origin} answered ${response.status} for a file`);
      }
      const bytes = await this.#read(response, url);
      // The type comes from the bytes (an .exe named photo.png is refused here, with its name).
      const { contentType } = await inspectEvidence(bytes, file.name, this.#maxBytes);
      return { name: file.name, contentType, contentUrl: `data:${contentType};base64,${bytes.toString('base64')}` };
    }
  }

  /** The body, refused as soon as it is known to be too large (header, else while reading). */
  async #read(response: Response, url: URL): Promise<Buffer> {
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > this.#maxBytes) {
      await response.body?.cancel();
      throw tooLarge(this.#maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    if (!reader) return Buffer.alloc(0);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.#maxBytes) {
          await reader.cancel();
          throw tooLarge(this.#maxBytes);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof CodedError) throw error;
      throw new UpstreamError('attachment_download_failed', `reading a file from ${url.origin} failed`, { cause: error });
    }
    return Buffer.concat(chunks);
  }
}

function tooLarge(maxBytes: number): InputError {
  return new InputError('file_too_large', `files can be at most ${maxBytes} bytes`, 413);
}
