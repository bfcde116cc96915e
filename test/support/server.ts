import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { RefundDispatcherTiming } from '../../src/refunds/webhook/dispatcher.ts';
import { createOfflineUnderstander } from '../../src/understanding/offline.ts';
import type { Understander } from '../../src/understanding/types.ts';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from './redis.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

let shared: Promise<Understander> | undefined;

/** One trained understander per test file (training is the slow part of start-up). */
export function sharedUnderstander(): Promise<Understander> {
  shared ??= createOfflineUnderstander({ knowledgeDir: path.join(ROOT, 'knowledge'), cacheDir: path.join(tmpdir(), 'refundbot-test-nlu-cache') });
  return shared;
}

export interface TestServer {
  app: App;
  url: string;
  clock: FixedClock;
  dataDir: string;
  /** Every log line written, for privacy checks. */
  logs: string[];
  close(): Promise<void>;
}

/** The store backends the end-to-end suites run against: the product must behave the same on both. */
export const STORES = ['sqlite', 'redis'] as const;
export type StoreKind = (typeof STORES)[number];

/**
 * Starts the real HTTP server on a free port with a fresh data folder and a fixed clock, on the
 * embedded store or on Redis (a key prefix of its own, deleted on close).
 */
export async function startServer(options: {
  now: string;
  env?: Record<string, string>;
  store?: StoreKind;
  /** The refund dispatcher's pace (tests use milliseconds). */
  refundDispatch?: Partial<RefundDispatcherTiming>;
}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-e2e-'));
  const prefix = testPrefix('e2e');
  const storeEnv: Record<string, string> = options.store === 'redis' ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } : {};
  const clock = new FixedClock(options.now);
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => { logs.push(String(chunk)); done(); } });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_TOKEN, LOG_LEVEL: 'info', ...storeEnv, ...options.env }, ROOT);
  const app = await createApp(config, {
    clock,
    understander: await sharedUnderstander(),
    logger: createLogger({ level: 'info', destination: sink }),
    ...(options.refundDispatch ? { refundDispatch: options.refundDispatch } : {}),
  });
  const url = await app.listen();
  return {
    app,
    url,
    clock,
    dataDir,
    logs,
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (options.store === 'redis') await deleteKeys(prefix);
    },
  };
}
