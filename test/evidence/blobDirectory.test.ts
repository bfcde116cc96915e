import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobDirectory, isBlobId } from '../../src/evidence/blobDirectory.ts';
import { JPEG, PDF } from './fixtures.ts';

const idOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('BlobDirectory', () => {
  let root: string;
  let blobs: BlobDirectory;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'refundbot-blobs-'));
    blobs = new BlobDirectory({ root });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores bytes under <2 hex>/<id> and reads them back', async () => {
    const id = idOf(PDF);
    await blobs.write(id, PDF);
    expect(blobs.pathOf(id)).toBe(join(root, id.slice(0, 2), id));
    expect(await readdir(join(root, id.slice(0, 2)))).toEqual([id]);
    expect(await blobs.read(id)).toEqual(PDF);
  });

  it('writes the same id concurrently without error or leftovers', async () => {
    const id = idOf(JPEG);
    await Promise.all(Array.from({ length: 5 }, () => blobs.write(id, JPEG)));
    expect(await readdir(join(root, id.slice(0, 2)))).toEqual([id]);
    expect(await blobs.read(id)).toEqual(JPEG);
  });

  it('replaces a file of the wrong size instead of trusting it', async () => {
    const id = idOf(JPEG);
    await blobs.write(id, JPEG);
    await writeFile(blobs.pathOf(id), 'half');
    await blobs.write(id, JPEG);
    expect(await blobs.read(id)).toEqual(JPEG);
  });

  it('refuses ids that are not SHA-256 hex, so no path can escape the root', async () => {
    for (const id of ['../../etc/passwd', 'A'.repeat(64), `${'a'.repeat(63)}/`, '']) {
      expect(isBlobId(id)).toBe(false);
      expect(() => blobs.pathOf(id)).toThrow(/SHA-256/);
      expect(await blobs.read(id)).toBeUndefined();
    }
    await expect(blobs.write('../x', PDF)).rejects.toMatchObject({ code: 'invalid_blob_id' });
  });

  it('answers undefined for an id never written', async () => {
    expect(await blobs.read('0'.repeat(64))).toBeUndefined();
  });
});
