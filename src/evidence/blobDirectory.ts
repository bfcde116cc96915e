import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CodedError } from '../errors.ts';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether `id` is a SHA-256 hex digest, the only thing ever used to build a blob path. */
export function isBlobId(id: string): boolean {
  return SHA256_HEX.test(id);
}

/**
 * Content-addressed files: the bytes whose SHA-256 is `id` live at `<root>/<id[0..2]>/<id>`
 * (the two-letter level keeps any one folder small). Writes go to a temporary file that is
 * flushed to disk and then renamed into place, so a crash leaves either the whole file or none.
 */
export class BlobDirectory {
  readonly #root: string;

  constructor(options: { root: string }) {
    if (!options?.root) throw new CodedError('bug', 'missing_dependency', 'BlobDirectory needs options.root', 500);
    this.#root = options.root;
  }

  /** The file of `id`; throws on anything but a SHA-256 hex id, so no id can escape the root. */
  pathOf(id: string): string {
    if (!isBlobId(id)) throw new CodedError('bug', 'invalid_blob_id', `Not a SHA-256 blob id: ${JSON.stringify(id)}`, 500);
    return join(this.#root, id.slice(0, 2), id);
  }

  /** Stores `bytes` under `id` (their SHA-256, computed by the caller); a no-op if present. */
  async write(id: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(id);
    // Same id means same bytes, so an existing file of the right size is this file.
    if ((await sizeOf(target)) === bytes.byteLength) return;
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    try {
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(dirname(target));
  }

  /** Whether a file is stored under `id` (synchronous, to sit beside a sqlite transaction). */
  existsSync(id: string): boolean {
    return existsSync(this.pathOf(id));
  }

  /** Deletes the file of `id` if there is one (synchronous, right after the sweep's transaction). */
  removeSync(id: string): void {
    rmSync(this.pathOf(id), { force: true });
  }

  /** The bytes stored under `id`, or undefined when there are none (or `id` is no blob id). */
  async read(id: string): Promise<Uint8Array | undefined> {
    if (!isBlobId(id)) return undefined;
    try {
      return new Uint8Array(await readFile(this.pathOf(id)));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

// Makes the rename itself durable, so the index row committed next never outlives its file
// after a power cut. Best effort: some platforms (Windows) cannot open a directory to sync it.
async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Nothing to do: the file is complete either way, only its durability is weaker.
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}
