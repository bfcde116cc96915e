import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { createLogger } from '../../src/log/logger.ts';
import { createOfflineUnderstander } from '../../src/understanding/offline.ts';
import type { Understander } from '../../src/understanding/types.ts';

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

/** Starts the real HTTP server on a free port with a fresh data folder and a fixed clock. */
export async function startServer(options: { now: string; env?: Record<string, string> }): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-e2e-'));
  const clock = new FixedClock(options.now);
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => { logs.push(String(chunk)); done(); } });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_TOKEN, LOG_LEVEL: 'info', ...options.env }, ROOT);
  const app = await createApp(config, { clock, understander: await sharedUnderstander(), logger: createLogger({ level: 'info', destination: sink }) });
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
    },
  };
}
