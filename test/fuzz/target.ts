import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { DATABASE_FILE } from '../../src/stores/sqlite/database.ts';
import { BotFrameworkStandIn } from '../support/botFrameworkStandIn.ts';
import { demoOrderRecords, OrderApiStandIn } from '../support/orderApiStandIn.ts';
import { deskEnv, startDeskStandIn } from '../support/slackDesk.ts';
import type { SlackStandIn } from '../support/slackStandIn.ts';
import { ROOT, type StoreKind, startServer, type TestServer } from '../support/server.ts';
import { TINY_JPEG, WeChatStandIn } from '../support/wechatStandIn.ts';
import { freePort, RedisServerProcess } from '../stores/redisServer.ts';

export const FUZZ_NOW = '2026-11-20T12:00:00Z';
export const WECHAT = { token: 'fuzz-wechat-token', appId: 'wx00fuzz00fuzz00', appSecret: 'fuzz-wechat-secret', aesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };
export const CUSTOMER_TOKEN_SECRET = 'fuzz-customer-token-secret-0123456789';
export const ORDERS_TOKEN = 'fuzz-orders-token';

/** Everything the store holds, as cheaply as it can be told apart: any write changes it. */
export interface StoreSnapshot {
  /** SQLite `PRAGMA data_version` seen from a connection of our own (changes on every commit by the server), or Redis's write counter. */
  writes: number;
  /** Rows per table (SQLite) or keys (Redis): what changed, for the report. */
  sizes: Record<string, number>;
  /** Files under DATA_DIR (evidence included), sorted. */
  files: string;
}

/** A conversation the fuzz may write to with its token, and a proof file shown in it. */
export interface Fixtures {
  conversationId: string;
  token: string;
  evidenceId: string;
  caseId: string;
}

/**
 * The server under fuzz: the real HTTP server (test/support/server.ts) with every channel
 * switched on against local stand-ins — the Slack desk and Slack customers, WeChat in safe mode,
 * the Bot Framework Emulator, the merchant's order API (which the fuzz also makes answer
 * hostile bodies) — and customer tokens. On Redis, a private redis-server whose write counter
 * only this server moves.
 */
export class FuzzTarget {
  readonly store: StoreKind;
  server!: TestServer;
  slack!: SlackStandIn;
  wechat!: WeChatStandIn;
  emulator!: BotFrameworkStandIn;
  emulatorUrl = '';
  orders!: OrderApiStandIn;
  fixtures!: Fixtures;
  #redis: RedisServerProcess | undefined;
  #redisClient: ReturnType<typeof createClient> | undefined;
  #db: DatabaseSync | undefined;

  constructor(store: StoreKind) {
    this.store = store;
  }

  get url(): string {
    return this.server.url;
  }

  /** Seconds since 1970 on the server's (fixed) clock: Slack signatures must be this fresh. */
  get nowSeconds(): number {
    return Math.floor(this.server.clock.now().getTime() / 1000);
  }

  async start(): Promise<void> {
    this.slack = await startDeskStandIn();
    this.wechat = new WeChatStandIn(WECHAT.appId, WECHAT.appSecret);
    const wechatUrl = await this.wechat.start();
    this.wechat.media.set('MEDIA_JPEG', TINY_JPEG);
    this.emulator = new BotFrameworkStandIn();
    this.emulatorUrl = await this.emulator.start();
    this.orders = new OrderApiStandIn({ orders: demoOrderRecords(ROOT, new Date(FUZZ_NOW)), token: ORDERS_TOKEN });
    const ordersUrl = await this.orders.start();
    const env: Record<string, string> = {
      ...deskEnv(this.slack),
      WECHAT_TOKEN: WECHAT.token,
      WECHAT_APP_ID: WECHAT.appId,
      WECHAT_APP_SECRET: WECHAT.appSecret,
      WECHAT_ENCODING_AES_KEY: WECHAT.aesKey,
      WECHAT_API_BASE_URL: wechatUrl,
      CUSTOMER_TOKEN_SECRET,
      // Every lookup asks the API (no cache, no retry), with a short deadline: hostile answers are seen at once.
      ORDERS_API_URL: ordersUrl,
      ORDERS_API_TOKEN: ORDERS_TOKEN,
      ORDERS_API_TIMEOUT_MS: '300',
      ORDERS_API_RETRIES: '0',
      ORDERS_API_CACHE_SECONDS: '0',
    };
    if (this.store === 'redis') {
      this.#redis = new RedisServerProcess(await freePort());
      await this.#redis.start();
      this.#redisClient = createClient({ url: this.#redis.url });
      await this.#redisClient.connect();
      Object.assign(env, { REDIS_URL: this.#redis.url, REDIS_KEY_PREFIX: 'fuzz:' });
    }
    this.server = await startServer({ now: FUZZ_NOW, env });
    if (this.store === 'sqlite') this.#db = new DatabaseSync(path.join(this.server.dataDir, DATABASE_FILE), { readOnly: true });
    this.fixtures = await this.#makeFixtures();
  }

  /** A conversation with a proof file in it, and a case from a finished refund. */
  async #makeFixtures(): Promise<Fixtures> {
    const { conversationId, token } = await this.startConversation();
    const jpeg = `data:image/jpeg;base64,${TINY_JPEG.toString('base64')}`;
    await this.say(conversationId, token, { type: 'message', text: 'I want a refund for order 100101', attachments: [{ contentType: 'image/jpeg', name: 'proof.jpg', contentUrl: jpeg }] });
    const history = (await (await fetch(`${this.url}/v1/conversations/${conversationId}/activities`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      activities: { attachments?: { evidenceId?: string }[] }[];
    };
    const evidenceId = history.activities.flatMap((activity) => activity.attachments ?? []).find((attachment) => attachment.evidenceId)?.evidenceId;
    if (!evidenceId) throw new Error('fuzz fixtures: the proof file did not show in the conversation');
    // A changed-mind refund of a demo order, as the bench runs it: it ends with a case.
    const refund = await this.startConversation();
    let caseId: string | undefined;
    for (const text of ['Hi, I want a refund', 'order 100126', 'linyijun@example.com', 'I changed my mind, I do not need it any more', 'yes']) {
      const replies = await this.say(refund.conversationId, refund.token, { type: 'message', text });
      caseId ??= replies.find((reply) => reply.channelData?.case?.id)?.channelData?.case?.id;
    }
    if (!caseId) throw new Error('fuzz fixtures: the refund conversation ended without a case');
    return { conversationId, token, evidenceId, caseId };
  }

  async startConversation(): Promise<{ conversationId: string; token: string }> {
    const response = await fetch(`${this.url}/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (response.status !== 201) throw new Error(`fuzz: starting a conversation answered ${response.status}`);
    return (await response.json()) as { conversationId: string; token: string };
  }

  async say(conversationId: string, token: string, body: unknown): Promise<{ channelData?: { case?: { id: string } } }[]> {
    const response = await fetch(`${this.url}/v1/conversations/${conversationId}/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    if (response.status !== 200) throw new Error(`fuzz: a fixture message answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { activities: { channelData?: { case?: { id: string } } }[] }).activities;
  }

  /** The store as it is now (see StoreSnapshot). */
  async snapshot(): Promise<StoreSnapshot> {
    const files = listFiles(this.server.dataDir).join('\n');
    if (this.#db) {
      const writes = Number((this.#db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version);
      const sizes: Record<string, number> = {};
      const tables = this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
      for (const { name } of tables) sizes[name] = Number((this.#db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n);
      return { writes, sizes, files };
    }
    const client = this.#redisClient;
    if (!client) throw new Error('fuzz target not started');
    // A redis-server of our own with saving off: the count of writes since start is exact.
    const info = await client.info('persistence');
    const writes = Number(/rdb_changes_since_last_save:(\d+)/.exec(info)?.[1] ?? Number.NaN);
    return { writes, sizes: { keys: await client.dbSize() }, files };
  }

  /**
   * A digest of everything stored (every row of every table, or every key's type and DUMP, and
   * DATA_DIR's files): slower than `snapshot`, for telling a write that changed nothing (a lock
   * taken and released, a row rewritten as it was) from one that stored something.
   */
  async contentDigest(): Promise<string> {
    const hash = createHash('sha256');
    hash.update(listFiles(this.server.dataDir).join('\n'));
    if (this.#db) {
      const tables = this.#db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
      for (const { name } of tables) {
        const rows = this.#db
          .prepare(`SELECT * FROM "${name}"`)
          .all()
          .map((row) => JSON.stringify(row, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : typeof value === 'bigint' ? String(value) : value)))
          .sort();
        hash.update(`${name}\n${rows.join('\n')}\n`);
      }
      return hash.digest('hex');
    }
    const client = this.#redisClient;
    if (!client) throw new Error('fuzz target not started');
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: '*', COUNT: 1000 })) keys.push(...batch);
    for (const key of keys.sort()) hash.update(`${key}\n${String(await client.sendCommand(['DUMP', key]))}\n`);
    return hash.digest('hex');
  }

  /** Waits until work the channels do after answering (WeChat, Bot Framework, Slack) is done and the store has not changed for `quietMs`. */
  async settle(maxMs = 5000, quietMs = 15): Promise<StoreSnapshot> {
    const { app } = this.server;
    await Promise.all([app.wechat?.idle(), app.botFramework.idle(), app.slackCustomers?.idle(), app.slackDesk?.idle()]);
    const deadline = performance.now() + maxMs;
    let last = await this.snapshot();
    for (;;) {
      await sleep(quietMs);
      const next = await this.snapshot();
      if (sameStore(last, next) || performance.now() > deadline) return next;
      last = next;
    }
  }

  async healthy(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(5000) })).status === 200;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.#db?.close();
    this.orders.answerRaw = undefined;
    await this.server?.close();
    await Promise.all([this.slack?.close(), this.wechat?.close(), this.emulator?.close(), this.orders?.close()]);
    await this.#redisClient?.quit();
    await this.#redis?.stop();
  }
}

export function sameStore(a: StoreSnapshot, b: StoreSnapshot): boolean {
  return a.writes === b.writes && a.files === b.files;
}

/** What differs between two snapshots, for the report. */
export function storeDiff(before: StoreSnapshot, after: StoreSnapshot): string {
  const parts: string[] = [];
  if (before.writes !== after.writes) parts.push(`${after.writes - before.writes} write(s)`);
  for (const [name, count] of Object.entries(after.sizes)) {
    const was = before.sizes[name] ?? 0;
    if (count !== was) parts.push(`${name} ${was}→${count}`);
  }
  if (before.files !== after.files) parts.push('files under DATA_DIR changed');
  return parts.join(', ');
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !/\.sqlite-(wal|shm)$/.test(entry.name))
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}
