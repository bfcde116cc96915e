import { fileTypeFromBuffer } from 'file-type';
import type { EvidenceRef } from '../domain/case.ts';

/** A content type accepted as proof (SPEC §6). */
export type EvidenceContentType = EvidenceRef['contentType'];

/** Accepted types and their file extensions, the first one canonical. */
export const EVIDENCE_EXTENSIONS: Readonly<Record<EvidenceContentType, readonly string[]>> = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
};

function isEvidenceContentType(mime: string): mime is EvidenceContentType {
  return Object.hasOwn(EVIDENCE_EXTENSIONS, mime);
}

/**
 * The evidence type the bytes really are, read from their signature, or undefined when they
 * are anything else (an `.exe` renamed `.png`, a GIF, SVG or plain text). What the client
 * declared is never consulted.
 */
export async function sniffEvidenceType(bytes: Uint8Array): Promise<EvidenceContentType | undefined> {
  const detected = await fileTypeFromBuffer(bytes);
  return detected && isEvidenceContentType(detected.mime) ? detected.mime : undefined;
}
