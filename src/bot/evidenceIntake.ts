import type { Attachment, Middleware, TurnContext } from 'botbuilder';
import { InputError } from '../errors.ts';
import { DEFAULT_MAX_EVIDENCE_BYTES, inspectEvidence } from '../evidence/inspect.ts';
import type { EvidenceStore } from '../stores/ports.ts';

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w=.+-]+)*;base64,(.*)$/s;

/** Decodes a `data:…;base64,…` URL; anything else is not an inline file. */
export function decodeDataUrl(url: string): Uint8Array {
  const match = DATA_URL.exec(url);
  if (!match) throw new InputError('bad_attachment', 'attachments must be data: URLs with base64 content');
  const base64 = match[3] ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw new InputError('bad_attachment', 'attachment content is not valid base64');
  return Buffer.from(base64, 'base64');
}

/**
 * Turns inline attachments (data URLs) into stored evidence before the bot sees them. Every file
 * of a message is checked first (size, type from the bytes) and only then are they stored, so a
 * message with one bad file stores nothing; the error (413/415) reaches the API caller.
 * Attachments become `{ contentType, name, content: { evidenceId, size } }`.
 */
export class EvidenceIntakeMiddleware implements Middleware {
  readonly #evidence: EvidenceStore;
  readonly #maxBytes: number;

  constructor(options: { evidence: EvidenceStore; maxBytes?: number }) {
    if (!options.evidence) throw new Error('EvidenceIntakeMiddleware needs an evidence store');
    this.#evidence = options.evidence;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    const attachments = context.activity.attachments ?? [];
    const inline = attachments.filter((attachment) => typeof attachment.contentUrl === 'string' && attachment.contentUrl.startsWith('data:'));
    if (inline.length === 0) return next();
    const files = await Promise.all(
      inline.map(async (attachment) => {
        const bytes = decodeDataUrl(attachment.contentUrl as string);
        await inspectEvidence(bytes, attachment.name ?? 'file', this.#maxBytes);
        return { attachment, bytes };
      }),
    );
    const conversationId = context.activity.conversation?.id ?? '';
    const stored: Attachment[] = [];
    for (const { attachment, bytes } of files) {
      const ref = await this.#evidence.put(bytes, { name: attachment.name ?? 'file', conversationId });
      stored.push({ contentType: ref.contentType, name: ref.name, content: { evidenceId: ref.id, size: ref.size } });
    }
    context.activity.attachments = [...attachments.filter((attachment) => !inline.includes(attachment)), ...stored];
    return next();
  }
}
