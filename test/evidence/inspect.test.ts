import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sniffEvidenceType } from '../../src/evidence/contentType.ts';
import { DEFAULT_MAX_EVIDENCE_BYTES, inspectEvidence } from '../../src/evidence/inspect.ts';
import { InputError } from '../../src/errors.ts';
import { ACCEPTED, EXE, GIF, JPEG, PDF, PNG, SVG, WEBP, padTo } from './fixtures.ts';

describe('sniffEvidenceType', () => {
  it.each(ACCEPTED.map((fixture) => [fixture.label, fixture.bytes, fixture.contentType] as const))(
    'recognises %s from its bytes',
    async (_label, bytes, contentType) => {
      expect(await sniffEvidenceType(bytes)).toBe(contentType);
    },
  );

  it.each([
    ['an executable', EXE],
    ['a GIF', GIF],
    ['an SVG', SVG],
    ['text', new TextEncoder().encode('%PNG but not really')],
    ['nothing', new Uint8Array()],
  ])('does not accept %s', async (_label, bytes) => {
    expect(await sniffEvidenceType(bytes)).toBeUndefined();
  });
});

describe('inspectEvidence', () => {
  it('describes a file by its hash, sniffed type, size and a safe name', async () => {
    expect(await inspectEvidence(WEBP, '../secret/photo.webp')).toEqual({
      id: createHash('sha256').update(WEBP).digest('hex'),
      contentType: 'image/webp',
      size: WEBP.byteLength,
      name: 'photo.webp',
    });
  });

  it('gives identical bytes the same id and different bytes different ids', async () => {
    const [a, b, c] = await Promise.all([
      inspectEvidence(PDF, 'a.pdf'),
      inspectEvidence(new Uint8Array(PDF), 'b.pdf'),
      inspectEvidence(JPEG, 'c.jpg'),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(c.id);
  });

  it('refuses what is not a JPEG, PNG, WebP or PDF with 415, whatever its name', async () => {
    const error = await inspectEvidence(EXE, 'holiday.png').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'unsupported_file_type', status: 415 });
  });

  it('defaults to a 10 MB limit: 10 MB passes, one byte more is 413', async () => {
    expect(DEFAULT_MAX_EVIDENCE_BYTES).toBe(10 * 1024 * 1024);
    expect((await inspectEvidence(padTo(PNG, DEFAULT_MAX_EVIDENCE_BYTES), 'a.png')).size).toBe(DEFAULT_MAX_EVIDENCE_BYTES);
    await expect(inspectEvidence(padTo(PNG, DEFAULT_MAX_EVIDENCE_BYTES + 1), 'a.png')).rejects.toMatchObject({
      code: 'file_too_large',
      status: 413,
    });
  });

  it('checks the size before the type, so a huge file is never parsed', async () => {
    await expect(inspectEvidence(padTo(EXE, 2_000), 'x.exe', 1_000)).rejects.toMatchObject({ code: 'file_too_large' });
  });
});
