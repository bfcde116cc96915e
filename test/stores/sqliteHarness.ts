import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock } from '../../src/domain/clock.ts';
import { openSqliteStores } from '../../src/stores/sqlite/index.ts';
import type { Stores } from '../../src/stores/ports.ts';
import type { StoreHarness } from './contract/harness.ts';

/** Embedded stores in a new temporary DATA_DIR, removed again by `cleanup()`. */
export async function makeSqliteHarness(options: { maxEvidenceBytes?: number; conversationTtlMs?: number; queueApprovals?: boolean } = {}): Promise<
  StoreHarness & { dataDir: string; clock: FixedClock }
> {
  const root = await mkdtemp(join(tmpdir(), 'refundbot-stores-'));
  // A folder that does not exist yet: opening must create it.
  const dataDir = join(root, 'data');
  const clock = new FixedClock('2026-11-10T09:00:00.000Z');
  const open = (): Stores => openSqliteStores({ dataDir, clock, queueApprovals: true, ...options });
  let stores = open();
  const others: Stores[] = [];
  return {
    dataDir,
    clock,
    get stores() {
      return stores;
    },
    async reopen() {
      await stores.close();
      stores = open();
      return stores;
    },
    async another() {
      const other = open();
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const other of others) await other.close();
      await stores.close();
      await rm(root, { recursive: true, force: true });
    },
    // The embedded store keeps time only through its clock.
    async elapse(ms: number) {
      clock.advance(ms);
    },
  };
}
