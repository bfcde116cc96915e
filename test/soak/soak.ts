import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from 'redis';
import { driveRefund } from '../support/drive.ts';
import { MerchantStandIn, WEBHOOK_SECRET } from '../support/merchant.ts';
import { ADMIN_TOKEN } from '../support/server.ts';
import { freePort, RedisServerProcess } from '../stores/redisServer.ts';
import { type ClientStats, emptyClientStats, RetryingCustomer, RoundRobin } from './customer.ts';
import { checkRun, type CaseView, type ConversationResult, type SoakFigures } from './figures.ts';
import { Fleet } from './fleet.ts';
import { type ConversationPlan, soakPlans } from './plans.ts';

/** The size and faults of one soak run. */
export interface SoakOptions {
  instances: number;
  conversations: number;
  /** Conversations held at once. */
  concurrency: number;
  /** A customer's pause before each message, drawn uniformly from [min, max] ms. */
  thinkMs: [number, number];
  /** Instances SIGKILLed (one at a time, each started again after `killDownMs`), spread over the run. */
  kills: number;
  killDownMs: number;
  /** Redis restarts (SIGKILL, then the same server on the same port and data directory) in the middle of the run. */
  redisRestarts: number;
  redisDownMs: number;
  /** How long a client keeps retrying one request. */
  retryForMs: number;
  /** Longest wait, after the conversations, for the refund outbox to empty. */
  settleMs: number;
  /** Extra environment for the instances (e.g. rate limits). */
  env?: Record<string, string>;
  /** Progress lines (stderr in the runner). */
  progress?: (line: string) => void;
  /** Aborts the run (ctrl-C): everything started is stopped and removed, and runSoak rejects. */
  signal?: AbortSignal;
}

const KEY_PREFIX = 'refundbot:';
const STATUS_QUESTION = 'what is the status of my refund?';

/**
 * One soak run, from nothing to figures: a Redis of its own (append-only file, fsync always) in a
 * temp directory, `instances` real server processes on it with the merchant's refund webhook
 * pointing at the reference receiver, `conversations` refund conversations driven through the
 * HTTP API with retrying clients, instance SIGKILLs and a Redis restart along the way; then a
 * further message to every conversation, the outbox drained, and every case, audit trail and
 * webhook delivery checked. Everything it started is stopped and removed, also on failure.
 */
export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const progress = options.progress ?? (() => undefined);
  const started = performance.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'refundbot-soak-'));
  const redisDir = path.join(dir, 'redis');
  // With Redis, DATA_DIR holds only the trained language model's cache: kept between runs (like
  // the test suite's), so that starting an instance loads the model instead of training it.
  const dataDir = path.join(tmpdir(), 'refundbot-soak-model-cache');
  const { plans, ordersFile } = soakPlans(options.conversations, new Date());
  const ordersPath = path.join(dir, 'orders.json');
  writeFileSync(ordersPath, JSON.stringify(ordersFile));

  let rejectedSignatures = 0;
  const merchant = new MerchantStandIn({
    confirm: 'answer',
    log: (line) => {
      if (String(line.msg).startsWith('refused an unsigned')) rejectedSignatures += 1;
    },
  });
  mkdirSync(redisDir);
  const redis = new RedisServerProcess(await freePort(), { persistDir: redisDir });
  let fleet: Fleet | undefined;
  const run = async (): Promise<SoakFigures> => {
    await redis.start();
    const webhookUrl = await merchant.start();
    fleet = new Fleet({
      env: {
        DATA_DIR: dataDir,
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: KEY_PREFIX,
        ADMIN_TOKEN,
        ORDERS_FILE: ordersPath,
        REFUND_WEBHOOK_URL: webhookUrl,
        REFUND_WEBHOOK_SECRET: WEBHOOK_SECRET,
        EVIDENCE_LINK_SECRET: 'soak-evidence-link-secret-0123456789',
        LOG_LEVEL: 'warn',
        // Every client comes from 127.0.0.1: the abuse limits stay on, generous enough for the load.
        RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
        RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '600',
        CONVERSATIONS_PER_IP_PER_HOUR: '1000000',
        REFUND_REQUESTS_PER_CUSTOMER_PER_DAY: '100',
        ...options.env,
      },
    });
    progress(`starting redis on ${redis.url} and ${options.instances} instances`);
    await fleet.start(options.instances);
    const balancer = new RoundRobin(fleet.urls);
    const stats = emptyClientStats();

    // Conversations, with faults injected as they progress.
    let finished = 0;
    const faults = { kills: 0, redisRestarts: 0, when: [] as string[] };
    let driving = true;
    const chaos = injectFaults(options, fleet, redis, () => finished / options.conversations, () => driving, faults, progress);
    const driveStarted = performance.now();
    const results = await pool(plans, options.concurrency, async (plan) => {
      const result = await converse(plan, balancer, stats, options);
      finished += 1;
      if (finished % Math.max(1, Math.floor(options.conversations / 10)) === 0) progress(`${finished}/${options.conversations} conversations done`);
      return result;
    });
    driving = false;
    await chaos;
    const driveMs = performance.now() - driveStarted;

    // Every conversation must still answer.
    progress('asking every conversation one more question');
    await pool(results, options.concurrency, async (result) => {
      if (!result.customer.conversationId) return;
      try {
        await result.customer.say(STATUS_QUESTION);
        result.answersAfter = true;
      } catch (error) {
        result.error ??= `further message: ${(error as Error).message}`;
      }
    });

    progress('waiting for the refund outbox to empty');
    const settleStarted = performance.now();
    const outboxLeft = await drainOutbox(redis.url, options.settleMs);
    await merchant.receiver.idle();
    const settleMs = performance.now() - settleStarted;

    progress('reading every case and its audit trail');
    const cases = await readCases(balancer, plans);
    return checkRun({
      options,
      results,
      cases,
      deliveries: merchant.requests.map((request) => ({ caseId: caseIdOf(request.body), key: String(request.headers['idempotency-key'] ?? '') })),
      payouts: merchant.receiver.refunds(),
      rejectedSignatures,
      outboxLeft,
      clients: stats,
      faults,
      elapsedMs: performance.now() - started,
      driveMs,
      settleMs,
      serverCrashes: fleet.stderr,
    });
  };
  try {
    if (!options.signal) return await run();
    const signal = options.signal;
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new Error('soak interrupted'));
      signal.addEventListener('abort', () => reject(new Error('soak interrupted')), { once: true });
    });
    return await Promise.race([run(), aborted]);
  } finally {
    await fleet?.stop();
    await redis.stop();
    await merchant.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One scripted refund conversation; never throws (what went wrong is in the result). */
async function converse(plan: ConversationPlan, balancer: RoundRobin, stats: ClientStats, options: SoakOptions): Promise<ConversationResult> {
  const [min, max] = options.thinkMs;
  const customer = new RetryingCustomer({ balancer, stats, retryForMs: options.retryForMs, thinkMs: () => min + Math.random() * (max - min) });
  const result: ConversationResult = { plan, customer, completed: false, answersAfter: false };
  try {
    await customer.start('en');
    const run = await driveRefund(customer, 'en', plan.opener, plan.answers, 12);
    result.completed = true;
    result.announced = { id: run.summary.id, status: run.summary.status };
  } catch (error) {
    result.error = (error as Error).message.slice(0, 300);
  }
  return result;
}

/**
 * Kills instances and restarts Redis as the run progresses: kill k at about k/(kills+1) of the
 * conversations finished, Redis restart r at about r/(restarts+1). A killed instance comes back
 * after `killDownMs` (and its start-up) while the run goes on; one instance always stays up.
 * Every planned fault is done, even if the conversations finish first.
 */
async function injectFaults(
  options: SoakOptions,
  fleet: Fleet,
  redis: RedisServerProcess,
  done: () => number,
  driving: () => boolean,
  faults: { kills: number; redisRestarts: number; when: string[] },
  progress: (line: string) => void,
): Promise<void> {
  const plan: { at: number; what: 'kill' | 'redis' }[] = [];
  for (let k = 1; k <= options.kills; k++) plan.push({ at: (k / (options.kills + 1)) * (0.9 + Math.random() * 0.2), what: 'kill' });
  for (let r = 1; r <= options.redisRestarts; r++) plan.push({ at: (r / (options.redisRestarts + 1)) * (0.95 + Math.random() * 0.1), what: 'redis' });
  plan.sort((a, b) => a.at - b.at);
  const restarts: Promise<void>[] = [];
  const percent = () => `${Math.round(done() * 100)}%`;
  for (const fault of plan) {
    while (driving() && done() < fault.at) await sleep(100);
    // Land in the middle of turns, not between a customer's pauses.
    await sleep(Math.random() * 300);
    if (fault.what === 'redis') {
      progress(`SIGKILL redis-server (${percent()} of the conversations done)`);
      faults.when.push(`redis@${percent()}`);
      await redis.stop();
      await sleep(options.redisDownMs);
      await redis.start();
      faults.redisRestarts += 1;
      progress('redis-server back (same port, same append-only file)');
      continue;
    }
    while (fleet.running().length < 2) await sleep(100);
    const up = fleet.running();
    const index = up[Math.floor(Math.random() * up.length)] as number;
    progress(`SIGKILL instance ${index} (${percent()} of the conversations done)`);
    faults.when.push(`kill@${percent()}`);
    await fleet.kill(index);
    faults.kills += 1;
    restarts.push(
      sleep(options.killDownMs)
        .then(() => fleet.restart(index))
        .then(() => progress(`instance ${index} back (${percent()})`)),
    );
  }
  await Promise.all(restarts);
}

/** Runs `work` over `items` with at most `limit` at once; results in the items' order. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Waits until the refund outbox (read straight from the store) is empty; answers how many entries are left. */
async function drainOutbox(redisUrl: string, timeoutMs: number): Promise<number> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const left = await client.zCard(`${KEY_PREFIX}refund-outbox`);
      if (left === 0 || performance.now() > deadline) return left;
      await sleep(500);
    }
  } finally {
    await client.quit();
  }
}

/** Every case of every plan's order, with its audit trail, through the admin case API. */
async function readCases(balancer: RoundRobin, plans: readonly ConversationPlan[]): Promise<Map<string, CaseView[]>> {
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const byOrder = new Map<string, CaseView[]>();
  await pool(plans, 8, async (plan) => {
    const listed = await fetchJson<{ cases: { id: string }[] }>(`${balancer.next()}/v1/cases?orderId=${plan.orderId}`, headers);
    const cases: CaseView[] = [];
    for (const { id } of listed.cases) cases.push(await fetchJson<CaseView>(`${balancer.next()}/v1/cases/${id}`, headers));
    byOrder.set(plan.orderId, cases);
  });
  return byOrder;
}

async function fetchJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    if (response?.status === 200) return (await response.json()) as T;
    if (attempt >= 5) throw new Error(`GET ${url} answered ${response?.status ?? 'nothing'}`);
    await sleep(500 * attempt);
  }
}

function caseIdOf(body: string): string {
  try {
    return String((JSON.parse(body) as { caseId?: unknown }).caseId ?? '');
  } catch {
    return '';
  }
}
