import { createHash } from 'node:crypto';
import type { EvidenceRef } from '../domain/case.ts';
import { InputError } from '../errors.ts';
import { EVIDENCE_EXTENSIONS, sniffEvidenceType } from './contentType.ts';
import { sanitizeFileName } from './fileName.ts';

/** Largest accepted proof file (SPEC §6: 10 MB each). */
export const DEFAULT_MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

/**
 * Checks an uploaded proof file and describes it, without storing anything: throws
 * `InputError` `file_too_large` (413) above `maxBytes` and `unsupported_file_type` (415) unless
 * the bytes are JPEG, PNG, WebP or PDF. The id is the SHA-256 of the bytes, so the same file
 * always gets the same id. Shared by every EvidenceStore implementation.
 */
export async function inspectEvidence(
  bytes: Uint8Array,
  declaredName: string,
  maxBytes: number = DEFAULT_MAX_EVIDENCE_BYTES,
): Promise<EvidenceRef> {
  if (bytes.byteLength > maxBytes) {
    throw new InputError('file_too_large', `Files can be at most ${maxBytes} bytes`, 413);
  }
  const contentType = await sniffEvidenceType(bytes);
  if (contentType === undefined) {
    throw new InputError('unsupported_file_type', 'Only JPEG, PNG or WebP images and PDF files are accepted', 415);
  }
  return {
    id: createHash('sha256').update(bytes).digest('hex'),
    contentType,
    size: bytes.byteLength,
    name: sanitizeFileName(declaredName, EVIDENCE_EXTENSIONS[contentType]),
  };
}
