import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackWebClient } from '../../src/channels/slack-desk/webClient.ts';
import { FixedClock } from '../../src/domain/clock.ts';
import { createWeeklyDigest, type Timers, type WeeklyDigest } from '../../src/insight/digestScheduler.ts';
import type { Stats, StatsQuery } from '../../src/insight/types.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { Stores } from '../../src/stores/ports.ts';
import { openRedisStores } from '../../src/stores/redis/index.ts';
import { openSqliteStores } from '../../src/stores/sqlite/index.ts';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis.ts';
import { type SlackStandIn, startSlackStandIn, validateBlocks } from '../support/slackStandIn.ts';
import { digestWeeks } from './fixtures.ts';

const CHANNEL = 'C0AGENTS01';
const DAY = 24 * 60 * 60 * 1000;
const WEEK_FROM = '2026-11-15T16:00:00.000Z';
const logger = createLogger({ level: 'silent' });

/** Timers fired by hand: what is pending, and after how long. */
class ManualTimers implements Timers {
  pending: { id: number; callback: () => void; ms: number }[] = [];
  #next = 0;
  set(callback: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.pending.push({ id, callback, ms });
    return id;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((timer) => timer.id !== handle);
  }
  /** Fires every pending timer once. */
  fire(): void {
    const due = this.pending;
    this.pending = [];
    for (const timer of due) timer.callback();
  }
  delays(): number[] {
    return this.pending.map((timer) => timer.ms);
  }
}

/** Two instances' stores on one backend: two connections to one Redis prefix, or two handles on one SQLite file. */
const BACKENDS = {
  async sqlite(clock: FixedClock) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-digest-'));
    const stores = [openSqliteStores({ dataDir, clock }), openSqliteStores({ dataDir, clock })];
    return { stores, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
  },
  async redis(clock: FixedClock) {
    const keyPrefix = testPrefix('digest');
    const open = () => openRedisStores({ url: TEST_REDIS_URL, keyPrefix, clock, conversationTtlMs: DAY });
    const stores: Stores[] = [await open(), await open()];
    return { stores, cleanup: () => deleteKeys(keyPrefix) };
  },
};

describe.each(['sqlite', 'redis'] as const)('weekly digest scheduler (%s store)', (backend) => {
  let slack: SlackStandIn;
  let clock: FixedClock;
  let stores: Stores[];
  let cleanup: () => unknown;
  const digests: WeeklyDigest[] = [];
  const queries: StatsQuery[] = [];

  beforeEach(async () => {
    slack = await startSlackStandIn();
    clock = new FixedClock('2026-11-23T00:59:00Z'); // Monday 08:59 in Shanghai
    ({ stores, cleanup } = await BACKENDS[backend](clock));
    queries.length = 0;
  });
  afterEach(async () => {
    await Promise.all(digests.splice(0).map((digest) => digest.stop()));
    await Promise.all(stores.map((s) => s.close()));
    await cleanup();
    await slack.close();
  });

  /** One instance's digest; its figures come from the fixtures (week or the week before). */
  function instance(index: number, timers: Timers, stats?: (query: StatsQuery) => Promise<Stats>): WeeklyDigest {
    const { week, previous } = digestWeeks();
    const digest = createWeeklyDigest({
      client: createSlackWebClient({ token: slack.botToken, slackApiUrl: slack.url, logger }),
      channel: CHANNEL,
      idempotency: stores[index]!.idempotency,
      stats:
        stats ??
        (async (query) => {
          queries.push(query);
          return query.from.toISOString() === WEEK_FROM ? week : previous;
        }),
      clock,
      logger,
      timeZone: 'Asia/Shanghai',
      publicUrl: 'https://refunds.example/',
      timers,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    digests.push(digest);
    return digest;
  }
  const posted = () => slack.succeeded('chat.postMessage').filter((call) => call.params.channel === CHANNEL);

  it('fires at Monday 09:00 Shanghai once, though two instances share the store, then re-arms for next week', async () => {
    const timers = [new ManualTimers(), new ManualTimers()];
    const [a, b] = [instance(0, timers[0]!), instance(1, timers[1]!)];
    a.start();
    b.start();
    // Armed for 09:00, a minute away; nothing yet.
    expect(timers.map((t) => t.delays())).toEqual([[60_000], [60_000]]);
    expect(posted()).toHaveLength(0);

    clock.set('2026-11-23T01:00:00Z');
    timers[0]!.fire();
    timers[1]!.fire();
    await Promise.all([a.idle(), b.idle()]);

    const calls = posted();
    expect(calls).toHaveLength(1);
    const blocks = calls[0]!.params.blocks as { type: string; text?: { text: string } }[];
    expect(validateBlocks(blocks)).toBeUndefined();
    expect(blocks[0]!.text!.text).toBe('Refunds last week: 16–22 Nov 2026');
    expect(String(calls[0]!.params.text)).toContain('40 cases (▲ 25%)');
    expect(JSON.stringify(blocks)).toContain('<https://refunds.example/agent/insight?from=2026-11-16&to=2026-11-22|Open the dashboard>');
    // The week (Shanghai Monday to Monday) and the week before, asked by both instances.
    expect(new Set(queries.map((q) => `${q.from.toISOString()}..${q.to.toISOString()}`))).toEqual(
      new Set(['2026-11-15T16:00:00.000Z..2026-11-22T16:00:00.000Z', '2026-11-08T16:00:00.000Z..2026-11-15T16:00:00.000Z']),
    );
    // Both re-armed for next Monday 09:00, exactly a week on.
    expect(timers.map((t) => t.delays())).toEqual([[7 * DAY], [7 * DAY]]);
    expect(a.scheduler.nextDue?.toISOString()).toBe('2026-11-30T01:00:00.000Z');

    // A timer that fires early (clock drift) posts nothing and re-arms.
    clock.set('2026-11-30T00:59:59Z');
    timers[0]!.fire();
    await a.idle();
    expect(posted()).toHaveLength(1);
    expect(timers[0]!.delays()).toEqual([1000]);
  });

  it('catches up after a restart on Monday morning, once, and not on a Tuesday', async () => {
    clock.set('2026-11-23T02:30:00Z'); // Monday 10:30 Shanghai: due 90 minutes ago, nobody posted
    const first = instance(0, new ManualTimers());
    first.start();
    await first.idle();
    expect(posted()).toHaveLength(1);

    // Another instance starting later that morning finds the week claimed.
    clock.set('2026-11-23T03:00:00Z');
    const second = instance(1, new ManualTimers());
    second.start();
    await second.idle();
    expect(posted()).toHaveLength(1);

    // Started on Tuesday 09:00: last week's digest is a day late, so it waits for next Monday.
    clock.set('2026-11-24T01:00:00Z');
    const timers = new ManualTimers();
    const tuesday = instance(0, timers);
    tuesday.start();
    await tuesday.idle();
    expect(timers.delays()).toEqual([6 * DAY]);
  });

  it('tries again when the figures cannot be computed, without losing the week', async () => {
    clock.set('2026-11-23T01:00:00Z');
    let failures = 1;
    const { week, previous } = digestWeeks();
    const timers = new ManualTimers();
    const digest = instance(0, timers, async (query) => {
      if (failures-- > 0) throw new Error('store unavailable');
      return query.from.toISOString() === WEEK_FROM ? week : previous;
    });
    digest.start();
    await digest.idle();
    expect(posted()).toHaveLength(0);
    expect(timers.delays()).toEqual([5 * 60 * 1000]);

    clock.set('2026-11-23T01:05:00Z');
    timers.fire();
    await digest.idle();
    expect(posted()).toHaveLength(1);
  });

  it('rides out a Slack outage through the desk outbox', async () => {
    clock.set('2026-11-23T01:00:00Z');
    slack.failNext('chat.postMessage', { kind: 'http', status: 503 }, 2);
    const digest = instance(0, new ManualTimers());
    digest.start();
    await digest.idle();
    expect(posted()).toHaveLength(1);
    expect(slack.calls.filter((call) => call.method === 'chat.postMessage')).toHaveLength(3);
  });
});
