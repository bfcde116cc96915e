import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { trainUnderstander } from '../../src/understanding/index.ts';
import type { TrainingSets } from '../../src/understanding/index.ts';

const sets: TrainingSets = {
  intentRows: [
    { label: 'request_refund', language: 'en', text: 'i want a refund' },
    { label: 'request_refund', language: 'zh-CN', text: '我要退款' },
    { label: 'refund_status', language: 'en', text: 'where is my refund' },
    { label: 'other', language: 'en', text: 'hello there' },
  ],
  categoryRows: [
    { label: 'defective', language: 'en', text: 'it broke after a day' },
    { label: 'not_received', language: 'en', text: 'my parcel never arrived' },
    { label: 'other', language: 'en', text: 'i want a refund' },
  ],
};

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nlu-cache-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the trained-model cache', () => {
  it('writes the trained models once and answers the same from the cached copy', async () => {
    const cacheDir = await tempDir();
    const trained = await trainUnderstander({ ...sets, cacheDir });
    const files = await readdir(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^nlu-[0-9a-f]{32}\.json$/);

    const loaded = await trainUnderstander({ ...sets, cacheDir });
    expect(await readdir(cacheDir)).toEqual(files);
    for (const text of ['where is my refund?', 'the thing broke', '我要退款']) {
      const [a, b] = await Promise.all([trained.understand(text), loaded.understand(text)]);
      expect(b.intents).toEqual(a.intents);
      expect(b.categories).toEqual(a.categories);
    }
  });

  it('keys the cache by the training rows: changed rows train a new model, which replaces the old', async () => {
    const cacheDir = await tempDir();
    await trainUnderstander({ ...sets, cacheDir });
    const [first] = await readdir(cacheDir);
    const more = { ...sets, intentRows: [...sets.intentRows, { label: 'human_agent' as const, language: 'en' as const, text: 'a person please' }] };
    await trainUnderstander({ ...more, cacheDir });
    const files = await readdir(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(first);
  });

  it('trains without a cache directory and writes nothing', async () => {
    const understander = await trainUnderstander(sets);
    expect((await understander.understand('where is my refund')).intent.label).toBe('refund_status');
  });
});
