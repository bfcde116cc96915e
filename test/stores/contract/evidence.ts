import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { ACCEPTED, EXE, GIF, JPEG, PNG, SVG, padTo } from '../../evidence/fixtures.ts';
import type { CurrentHarness } from './harness.ts';

const TEN_MB = 10 * 1024 * 1024;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const meta = (name: string) => ({ name, conversationId: 'conv-1' });

/** EvidenceStore: type from the bytes, size limit, safe names, content addressing. */
export function evidenceContract(current: CurrentHarness): void {
  const evidence = () => current().stores.evidence;

  for (const fixture of ACCEPTED) {
    it(`stores a ${fixture.label} by its SHA-256 and gives the same bytes back`, async () => {
      const ref = await evidence().put(fixture.bytes, meta(`proof.${fixture.extension}`));
      expect(ref).toEqual({
        id: sha256(fixture.bytes),
        contentType: fixture.contentType,
        size: fixture.bytes.byteLength,
        name: `proof.${fixture.extension}`,
      });
      const stored = await evidence().get(ref.id);
      expect(stored?.ref).toEqual(ref);
      expect(Buffer.from(stored?.bytes ?? [])).toEqual(Buffer.from(fixture.bytes));
    });
  }

  it('takes the type from the bytes, not from the name', async () => {
    const ref = await evidence().put(JPEG, meta('receipt.pdf'));
    expect(ref.contentType).toBe('image/jpeg');
    expect(ref.name).toBe('receipt.pdf.jpg');
  });

  it('refuses an executable renamed .png (415) and stores nothing', async () => {
    const error = await evidence().put(EXE, meta('x.png')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'unsupported_file_type', status: 415 });
    expect(await evidence().get(sha256(EXE))).toBeUndefined();
  });

  it.each([
    ['GIF', GIF],
    ['SVG', SVG],
    ['plain text', new TextEncoder().encode('just some words')],
    ['an empty file', new Uint8Array()],
  ])('refuses %s', async (_label, bytes) => {
    await expect(evidence().put(bytes, meta('photo.jpg'))).rejects.toMatchObject({ code: 'unsupported_file_type' });
  });

  it('accepts exactly 10 MB and refuses one byte more (413)', async () => {
    const limit = await evidence().put(padTo(PNG, TEN_MB), meta('big.png'));
    expect(limit.size).toBe(TEN_MB);
    const over = padTo(PNG, TEN_MB + 1);
    const error = await evidence().put(over, meta('bigger.png')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'file_too_large', status: 413 });
    expect(await evidence().get(sha256(over))).toBeUndefined();
  });

  it.each([
    ['../../etc/passwd.png', 'passwd.png'],
    ['..\\..\\Windows\\evil.png', 'evil.png'],
    ['/abs/path/photo.png', 'photo.png'],
    ['pho\u0000to\r\n.png', 'photo.png'],
    ['..', 'evidence.png'],
  ])('sanitises the name %j to %j', async (declared, expected) => {
    expect((await evidence().put(PNG, meta(declared))).name).toBe(expected);
  });

  it('is idempotent for identical bytes', async () => {
    const first = await evidence().put(PNG, meta('a.png'));
    const again = await evidence().put(new Uint8Array(PNG), meta('a.png'));
    expect(again).toEqual(first);
    const elsewhere = await evidence().put(PNG, { name: 'b.png', conversationId: 'conv-2' });
    expect(elsewhere).toMatchObject({ id: first.id, contentType: 'image/png', size: PNG.byteLength });
    expect((await evidence().get(first.id))?.bytes).toHaveLength(PNG.byteLength);
  });

  it('answers undefined for unknown and malformed ids', async () => {
    expect(await evidence().get('0'.repeat(64))).toBeUndefined();
    expect(await evidence().get('../../refundbot.sqlite')).toBeUndefined();
    expect(await evidence().get('')).toBeUndefined();
  });
}
