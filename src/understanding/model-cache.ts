import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Trained models on disk, keyed by a hash of everything that went into training them. */
export interface ModelCache {
  read(key: string): Promise<string | undefined>;
  write(key: string, model: string): Promise<void>;
}

/** A stable hash of the training inputs (rows, feature and network settings, format version). */
export function cacheKey(inputs: unknown): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

/**
 * Keeps the model as `nlu-<key>.json` in `dir`. A changed training file gets a new key, so a stale
 * model is never read; writing a new one removes the others (each is a few MB).
 */
export function createDiskCache(dir: string): ModelCache {
  const file = (key: string) => join(dir, `nlu-${key}.json`);
  return {
    async read(key) {
      try {
        return await readFile(file(key), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(key, model) {
      await mkdir(dir, { recursive: true });
      // Write then rename: instances starting together never read a half-written model.
      const temporary = `${file(key)}.${process.pid}.tmp`;
      await writeFile(temporary, model);
      await rename(temporary, file(key));
      const stale = (await readdir(dir)).filter((name) => /^nlu-[0-9a-f]+\.json$/u.test(name) && name !== `nlu-${key}.json`);
      await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
    },
  };
}
