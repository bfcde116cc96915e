import { CodedError } from '../../errors.ts';
import type { AgentFile } from '../../handoff/types.ts';
import type { Logger } from '../../log/logger.ts';
import type { EvidenceStore } from '../../stores/ports.ts';
import { SlackFileDownloader, type SlackFileDownloaderOptions, type TakeOutcome, type TakeRefusal } from './slackFiles.ts';

export { allowedFileOrigins, isAllowedFileUrl, SLACK_FILES_ORIGIN, SlackFile } from './slackFiles.ts';

/** Why a file an agent attached was not sent to the customer. */
export type FileRefusal = TakeRefusal<
  | 'unsupported_type' // not JPEG, PNG, WebP or PDF by its bytes
  | 'store_failed' // our evidence store failed
>;

export interface FileIntake {
  /** Files stored in the evidence store, in the order the agent attached them. */
  sent: AgentFile[];
  refused: { name: string; refusal: FileRefusal }[];
}

/**
 * Brings the files an agent attached to a thread reply into the evidence store, where the
 * customer can download them from their own conversation: each is downloaded from Slack with the
 * bot token (`SlackFileDownloader`: allowed origins only, redirects included, size cap, timeout)
 * and stored through `EvidenceStore.put`, which checks the type from the bytes and the size — the
 * limits of customers' proof, so the customer never receives what they could not have sent.
 * Files it refuses are reported, the rest kept. Never throws.
 */
export class SlackFileIntake {
  readonly #evidence: EvidenceStore;
  readonly #logger: Logger;
  readonly #downloader: SlackFileDownloader;

  constructor(options: SlackFileDownloaderOptions & { evidence: EvidenceStore }) {
    this.#evidence = options.evidence;
    this.#logger = options.logger;
    this.#downloader = new SlackFileDownloader(options);
  }

  async take(files: readonly unknown[], conversationId: string): Promise<FileIntake> {
    const { kept, refused } = await this.#downloader.take(files, (bytes, name, file) => this.#store(bytes, name, file.id, conversationId));
    return { sent: kept, refused };
  }

  async #store(bytes: Uint8Array, name: string, fileId: string | undefined, conversationId: string): Promise<TakeOutcome<AgentFile, FileRefusal>> {
    try {
      const ref = await this.#evidence.put(bytes, { name, conversationId });
      return { ok: true, value: { evidenceId: ref.id, name: ref.name, contentType: ref.contentType } };
    } catch (error) {
      if (error instanceof CodedError && error.code === 'file_too_large') return { ok: false, refusal: 'too_large' };
      if (error instanceof CodedError && error.code === 'unsupported_file_type') {
        this.#logger.info({ fileId }, 'slack desk: agent file refused by its bytes');
        return { ok: false, refusal: 'unsupported_type' };
      }
      this.#logger.error({ err: error, fileId, conversationId }, 'slack desk: could not store an agent file');
      return { ok: false, refusal: 'store_failed' };
    }
  }
}
