import type { InboundMessage } from '../../bot/conversationGateway.ts';
import { InputError } from '../../errors.ts';
import { inspectEvidence } from '../../evidence/inspect.ts';
import type { SlackFileDownloader, TakeOutcome, TakeRefusal } from '../slack-desk/slackFiles.ts';

/** Why a file a customer sent did not become proof. */
export type CustomerFileRefusal = TakeRefusal<'unsupported_type'>;

type Attachment = NonNullable<InboundMessage['attachments']>[number];

/** Prompt keys (prompts/<locale>/dialog.json) that tell the customer why a file was not taken. */
export const REFUSAL_PROMPTS: Record<CustomerFileRefusal, string> = {
  too_large: 'file.tooLarge',
  unsupported_type: 'file.badType',
  too_many: 'file.tooMany',
  no_link: 'file.unavailable',
  foreign_link: 'file.unavailable',
  download_failed: 'file.unavailable',
};

/**
 * The files a customer shared in a message, as the conversation takes proof: each is downloaded
 * from Slack (the shared `SlackFileDownloader`: allowed origins, size cap, timeout) and checked
 * from its bytes with the same rules as every other channel (`inspectEvidence`: JPEG, PNG, WebP
 * or PDF, 10 MB) before it becomes a `data:` URL for the turn — so a refused file is never
 * stored, and the customer can be told which one and why. Nothing is stored here: the turn's
 * evidence middleware stores what it is given.
 */
export async function takeCustomerFiles(downloader: SlackFileDownloader, files: readonly unknown[]): Promise<{ attachments: Attachment[]; refused: { name: string; refusal: CustomerFileRefusal }[] }> {
  const { kept, refused } = await downloader.take(files, async (bytes, name): Promise<TakeOutcome<Attachment, CustomerFileRefusal>> => {
    try {
      const ref = await inspectEvidence(bytes, name, downloader.maxBytes);
      return { ok: true, value: { contentType: ref.contentType, name, contentUrl: `data:${ref.contentType};base64,${Buffer.from(bytes).toString('base64')}` } };
    } catch (error) {
      const refusal = fileRefusalOf(error);
      if (!refusal) throw error;
      return { ok: false, refusal };
    }
  });
  return { attachments: kept, refused };
}

/** The refusal an evidence check's error stands for; undefined for errors that are not about the file. */
export function fileRefusalOf(error: unknown): CustomerFileRefusal | undefined {
  if (!(error instanceof InputError)) return undefined;
  if (error.code === 'file_too_large') return 'too_large';
  if (error.code === 'unsupported_file_type') return 'unsupported_type';
  return undefined;
}
