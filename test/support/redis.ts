import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';

/** The Redis the tests use: REDIS_URL, or the one this machine and CI run. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of a test's own, so tests never see each other's data. */
export function testPrefix(name: string): string {
  return `refundbot-test:${name}:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix` and answers how many were left before (for a final check). */
export async function deleteKeys(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    let removed = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) removed += await client.del(keys);
    }
    return removed;
  } finally {
    await client.quit();
  }
}

/** How many keys exist under `prefix`. */
export async function countKeys(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    let count = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) count += keys.length;
    return count;
  } finally {
    await client.quit();
  }
}
