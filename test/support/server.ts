import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * Abuse limits for tests: every suite talks from 127.0.0.1 with a FixedClock (store windows never
 * reset), so the request limits are generous and the store-backed and identity limits off;
 * test/security/abuse.test.ts sets its own through `env`.
 */
export const TEST_LIMITS: Record<string, string> = {
  RATE_LIMIT_PER_IP_PER_MINUTE: '100000',
  RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '100000',
  CONVERSATIONS_PER_IP_PER_HOUR: '0',
  IDENTITY_ATTEMPTS: '0',
  REFUND_REQUESTS_PER_CUSTOMER_PER_DAY: '0',
};

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
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_TOKEN, LOG_LEVEL: 'info', ...TEST_LIMITS, ...storeEnv, ...options.env }, ROOT);
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
      // Every end-to-end test also checks the logs never hold a customer's contact in clear.
      assertNoContactInLogs(logs);
      if (options.store === 'redis') await deleteKeys(prefix);
    },
  };
}

/** The demo customers' emails and phones (national digits), which the end-to-end tests type. */
const DEMO_CONTACTS = (() => {
  const file = JSON.parse(readFileSync(path.join(ROOT, 'knowledge/orders.demo.json'), 'utf8')) as { orders: { customer: { email?: string; phone?: string } }[] };
  const emails = new Set<string>();
  const phones = new Set<string>();
  for (const { customer } of file.orders) {
    if (customer.email) emails.add(customer.email.toLowerCase());
    if (customer.phone) phones.add(customer.phone.replace(/\D/g, '').slice(-11));
  }
  return { emails: [...emails], phones: [...phones] };
})();

/** Fails when a log line holds a demo customer's email or phone number unmasked. */
export function assertNoContactInLogs(logs: readonly string[]): void {
  for (const line of logs) {
    const lower = line.toLowerCase();
    const digits = line.replace(/[\s()-]/g, '');
    const leaked = DEMO_CONTACTS.emails.find((email) => lower.includes(email)) ?? DEMO_CONTACTS.phones.find((phone) => digits.includes(phone));
    if (leaked) throw new Error(`a log line holds a customer's contact in clear (${leaked.slice(0, 3)}…): ${line.slice(0, 200)}`);
  }
}
