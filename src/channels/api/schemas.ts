import { z } from 'zod';
import { LOCALES } from '../../domain/locale.ts';
import { InputError } from '../../errors.ts';

/** SPEC §6 limits. */
export const MAX_TEXT_CHARS = 4000;
export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;

export const CreateConversationBody = z
  .object({ locale: z.enum(LOCALES).optional(), customerToken: z.string().min(1).max(2000).optional() })
  .optional()
  .transform((body) => body ?? {});

const Attachment = z.object({
  contentType: z.string().max(100),
  name: z.string().max(1000).optional(),
  contentUrl: z.string().startsWith('data:', 'must be a data: URL'),
});

/** An activity posted by a client. Unknown fields are ignored (Bot Framework clients add many). */
export const PostActivityBody = z.object({
  type: z.literal('message'),
  text: z.string().optional(),
  attachments: z.array(Attachment).optional(),
  value: z.unknown().optional(),
  locale: z.enum(LOCALES).optional(),
});
export type PostActivityBody = z.infer<typeof PostActivityBody>;

/**
 * The optional `Idempotency-Key` header of a message: the client's own id for it, sent again
 * unchanged when it retries, so that the message runs once (printable ASCII, at most 200).
 */
export const IdempotencyKeyHeader = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'Idempotency-Key must be 1 to 200 printable ASCII characters').optional();

export const HistoryQuery = z.object({
  watermark: z.coerce.number().int().min(0).default(0),
});

/** Parses with a schema; a failure is the client's fault (400) with the field named. */
export function parseBody<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new InputError('bad_request', `${where}${issue?.message ?? 'invalid body'}`);
  }
  return parsed.data;
}

/**
 * Size and type limits checked before anything runs, each with its own status: 413 for a text
 * or file over the limit, 415 for a declared type we never accept, 400 for an empty message.
 */
export function checkActivityLimits(body: PostActivityBody): void {
  if (body.text !== undefined && body.text.length > MAX_TEXT_CHARS) {
    throw new InputError('text_too_long', `text can be at most ${MAX_TEXT_CHARS} characters`, 413);
  }
  const attachments = body.attachments ?? [];
  if (attachments.length > MAX_ATTACHMENTS) throw new InputError('too_many_attachments', `at most ${MAX_ATTACHMENTS} attachments per message`);
  for (const attachment of attachments) {
    if (!(ATTACHMENT_TYPES as readonly string[]).includes(attachment.contentType)) {
      throw new InputError('unsupported_file_type', `attachments must be one of ${ATTACHMENT_TYPES.join(', ')}`, 415);
    }
    const base64 = attachment.contentUrl.slice(attachment.contentUrl.indexOf(',') + 1);
    const bytes = Math.floor((base64.length * 3) / 4) - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);
    if (bytes > MAX_ATTACHMENT_BYTES) throw new InputError('file_too_large', `attachments can be at most ${MAX_ATTACHMENT_BYTES} bytes`, 413);
  }
  if (!body.text?.trim() && attachments.length === 0 && body.value === undefined) {
    throw new InputError('empty_message', 'a message needs text, attachments or a value');
  }
}
