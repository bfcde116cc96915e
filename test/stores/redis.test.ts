import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/domain/clock.ts';
import { ConfigError, UpstreamError } from '../../src/errors.ts';
import { openRedisStores, type RedisStores } from '../../src/stores/redis/index.ts';
import type { TurnKey, TurnSnapshot } from '../../src/stores/ports.ts';
import { describeStoreContract } from './contract.ts';
import { PNG } from '../evidence/fixtures.ts';
import { aCase, anEvent, T0 } from './contract/harness.ts';
import { countOf, gate, incrementCommit, turnKey, watchNotices, within } from './contract/turnKit.ts';
import { makeRedisHarness, REDIS_URL, RedisAdmin, TEST_TIMING, until } from './redisHarness.ts';
import { freePort, RedisServerProcess } from './redisServer.ts';

const admin = new RedisAdmin();
beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  try {
    // Every test deleted what it wrote: nothing may be left in the shared Redis.
    expect(await admin.leftovers()).toEqual([]);
  } finally {
    await admin.close();
  }
});

describeStoreContract('redis', (options) => makeRedisHarness(admin, options));

/** A turn that counts in state and appends one activity; it returns the count it saw. */
const countingTurn = (text: string) => async (snapshot: TurnSnapshot) => ({
  result: countOf(snapshot),
  commit: incrementCommit(snapshot, [{ text }]),
});

describe('redis store with several instances', () => {
  let cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
  });
  const harness = async (options: Parameters<typeof makeRedisHarness>[1] = {}) => {
    const made = await makeRedisHarness(admin, options);
    cleanups.push(made.cleanup);
    return made;
  };
  const key: TurnKey = turnKey('conv-1');
  const texts = async (stores: RedisStores) => (await stores.transcripts.list(key.conversationId, 0)).map((entry) => entry.activity.text);

  it('serialises turns of one conversation arriving at two instances, first come first served', async () => {
    const { stores: first, open, prefix } = await harness();
    const second = await open();
    const queue = `${prefix}turns:${key.conversationId}`;
    const order: string[] = [];
    const holder = gate();
    const runs = [
      first.turns.run(key, async (snapshot) => {
        order.push('t0');
        await holder.opened;
        return countingTurn('t0')(snapshot);
      }),
    ];
    await until(() => order.length === 1, 2_000, 'the first turn starting');
    // Each next turn arrives (is queued in Redis) before the one after it is sent.
    for (let turn = 1; turn <= 8; turn++) {
      const instance = turn % 2 === 1 ? second : first;
      runs.push(
        instance.turns.run(key, async (snapshot) => {
          order.push(`t${turn}`);
          return countingTurn(`t${turn}`)(snapshot);
        }),
      );
      await until(async () => (await admin.queueLength(queue)) === turn + 1, 2_000, `turn ${turn} queueing`);
    }
    holder.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(order).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']);
    expect(await texts(first)).toEqual(order);
    // An idle conversation keeps no turn keys.
    expect((await admin.keys(prefix)).filter((name) => name.includes('turn'))).toEqual([]);
  });

  it('loses and duplicates no turn in a burst from two instances', async () => {
    const { stores: first, open } = await harness();
    const second = await open();
    let running = 0;
    let overlapped = false;
    const burst = Array.from({ length: 40 }, (_, turn) =>
      (turn % 2 === 0 ? first : second).turns.run(key, async (snapshot) => {
        overlapped ||= running > 0;
        running++;
        await sleep(turn % 3);
        running--;
        return countingTurn(`t${turn}`)(snapshot);
      }),
    );
    const seen = await Promise.all(burst);
    expect(overlapped).toBe(false);
    // Each turn saw the previous one's commit: the counts seen are 0…39, each once.
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    const entries = await first.transcripts.list(key.conversationId, 0);
    expect(entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    expect(new Set(entries.map((entry) => entry.activity.text)).size).toBe(40);
    expect((await second.state.read([key.stateKey]))[key.stateKey]?.count).toBe(40);
  });

  it('takes over from a turn whose instance died, once its lease has run out', async () => {
    const { open } = await harness({ turnLeaseMs: 400 });
    const dying = await open();
    const survivor = await open();
    const started = gate();
    const never = gate();
    const doomed = dying.turns.run(key, async (snapshot) => {
      started.open();
      await never.opened;
      return countingTurn('from the dead')(snapshot);
    });
    await started.opened;
    const diedAt = performance.now();
    // The process dies: its connections go, nothing is released.
    await dying.close();
    const seen = await within(3_000, survivor.turns.run(key, countingTurn('after take-over')), 'the take-over');
    const waited = performance.now() - diedAt;
    expect(seen).toBe(0);
    expect(waited).toBeGreaterThan(300);
    expect(waited).toBeLessThan(1_500);
    // Were its work to finish after all, it could not write anything.
    never.open();
    await expect(doomed).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(await texts(survivor)).toEqual(['after take-over']);
  });

  it('refuses the commit of a turn that overran its lease and was taken over', async () => {
    const { stores: slowInstance, open } = await harness({ turnLeaseMs: 300 });
    const fastInstance = await open();
    const started = gate();
    const takenOver = gate();
    const slow = slowInstance.turns.run(key, async (snapshot) => {
      started.open();
      await takenOver.opened;
      return countingTurn('slow')(snapshot);
    });
    await started.opened;
    expect(await fastInstance.turns.run(key, countingTurn('fast'))).toBe(0);
    takenOver.open();
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'turn_lease_expired', status: 503 });
    expect(await texts(fastInstance)).toEqual(['fast']);
    expect((await fastInstance.state.read([key.stateKey]))[key.stateKey]?.count).toBe(1);
  });

  it('skips a waiting turn whose instance died before its turn came', async () => {
    const { stores: holderInstance, open, prefix } = await harness();
    const dyingWaiter = await open();
    const nextInstance = await open();
    const queue = `${prefix}turns:${key.conversationId}`;
    const holding = gate();
    const release = gate();
    const held = holderInstance.turns.run(key, async (snapshot) => {
      holding.open();
      await release.opened;
      return countingTurn('held')(snapshot);
    });
    await holding.opened;
    const doomed = dyingWaiter.turns.run(key, countingTurn('never'));
    await until(async () => (await admin.queueLength(queue)) === 2, 2_000, 'the doomed turn queueing');
    const next = nextInstance.turns.run(key, countingTurn('next'));
    await until(async () => (await admin.queueLength(queue)) === 3, 2_000, 'the next turn queueing');
    await dyingWaiter.close();
    await expect(doomed).rejects.toMatchObject({ code: 'store_unavailable' });
    release.open();
    await held;
    // The dead waiter is first in line but stopped polling: it is skipped after its grace period.
    expect(await within(2_000, next, 'the turn after the dead waiter')).toBe(1);
    expect(await texts(nextInstance)).toEqual(['held', 'next']);
  });

  it('fails a turn that waited longer than turnWaitMs with conversation_busy, and takes it out of the queue', async () => {
    const { stores: holderInstance, open, prefix } = await harness();
    const impatient = await open({ turnWaitMs: 300 });
    const holding = gate();
    const release = gate();
    const held = holderInstance.turns.run(key, async (snapshot) => {
      holding.open();
      await release.opened;
      return countingTurn('held')(snapshot);
    });
    await holding.opened;
    const startedAt = performance.now();
    const error = await impatient.turns.run(key, countingTurn('gave up')).catch((e: unknown) => e);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'conversation_busy', status: 503 });
    expect(await admin.queueLength(`${prefix}turns:${key.conversationId}`)).toBe(1);
    release.open();
    await held;
    expect(await texts(holderInstance)).toEqual(['held']);
  });

  it('delivers a commit notice to a listener on another instance', async () => {
    const { stores: writer, open } = await harness();
    const reader = await open();
    const notices = watchNotices(reader.events, key.conversationId);
    try {
      await notices.whenActive();
      const heard = notices.next(2_000);
      await writer.turns.run(key, countingTurn('hello from the other instance'));
      await heard;
    } finally {
      notices.stop();
    }
  });

  it('costs exactly 2 round trips for an uncontended turn (and for one whose work throws)', async () => {
    const { stores } = await harness();
    await stores.ping();
    let before = stores.roundTrips();
    await stores.turns.run(key, countingTurn('first'));
    expect(stores.roundTrips() - before).toBe(2);
    before = stores.roundTrips();
    await stores.turns.run(key, countingTurn('second'));
    expect(stores.roundTrips() - before).toBe(2);
    before = stores.roundTrips();
    await expect(
      stores.turns.run(key, async () => {
        throw new Error('the dialog broke');
      }),
    ).rejects.toThrow('the dialog broke');
    expect(stores.roundTrips() - before).toBe(2);
  });

  it("costs exactly 2 round trips for a turn that also merges its conversation's summary", async () => {
    const { stores } = await harness();
    await stores.ping();
    const summary = { channel: 'api', locale: 'en', startedAt: T0, at: T0, customerTurns: 1, awaiting: 'orderId', handedToPeople: false, hasCase: false };
    for (const text of ['first', 'second']) {
      const before = stores.roundTrips();
      await stores.turns.run(key, async (snapshot) => ({ result: undefined, commit: { ...incrementCommit(snapshot, [{ text }]), summary } }));
      expect(stores.roundTrips() - before).toBe(2);
    }
    expect(await stores.summaries.listStarted(T0, new Date(T0.getTime() + 1), { limit: 10 })).toMatchObject([{ conversationId: key.conversationId, customerTurns: 2 }]);
  });

  it('reads a page by period in one round trip, whatever its size', async () => {
    const { stores } = await harness();
    for (let index = 0; index < 30; index++) {
      const created = new Date(T0.getTime() + index);
      const id = `RF-P${String(index).padStart(4, '0')}`;
      await stores.cases.create(aCase({ id, createdAt: created, updatedAt: created }), anEvent(id, { at: created }));
      await stores.cases.appendAudit(anEvent(id, { type: 'note', at: created, data: { csat: 5 } }));
    }
    const to = new Date(T0.getTime() + 60_000);
    const reads = [
      () => stores.cases.listCreatedWithAudit(T0, to, { limit: 1000 }),
      () => stores.cases.listAudit(T0, to, { limit: 1000 }),
      () => stores.cases.withAudit(Array.from({ length: 30 }, (_, index) => `RF-P${String(index).padStart(4, '0')}`)),
      () => stores.cases.listEscalations(T0, to, { limit: 1000 }),
      () => stores.summaries.listStarted(T0, to, { limit: 1000 }),
    ];
    for (const read of reads) {
      const before = stores.roundTrips();
      await read();
      expect(stores.roundTrips() - before).toBe(1);
    }
    expect(await stores.cases.listCreatedWithAudit(T0, to, { limit: 1000 })).toHaveLength(30);
  });

  it('indexes cases, audit events and escalations stored before the time indexes existed, once', async () => {
    const { stores, prefix, open } = await harness();
    await stores.cases.create(aCase(), anEvent('RF-TEST22'));
    await stores.cases.appendAudit(anEvent('RF-TEST22', { type: 'note', at: new Date(T0.getTime() + 1), data: { csat: 3 } }));
    await stores.cases.addEscalation({ id: 'esc-1', conversationId: 'conv-1', reason: 'dispute', locale: 'en', at: T0 });
    // As a release without them left the data: no time indexes, no marker.
    await admin.del([`${prefix}cases-by-created`, `${prefix}audit-by-time`, `${prefix}escalations-by-time`, `${prefix}period-indexes-built`]);
    const to = new Date(T0.getTime() + 60_000);
    expect(await stores.cases.listCreated(T0, to, { limit: 10 })).toEqual([]);

    const upgraded = await open();
    expect((await upgraded.cases.listCreated(T0, to, { limit: 10 })).map((refundCase) => refundCase.id)).toEqual(['RF-TEST22']);
    expect(await upgraded.cases.listAudit(T0, to, { limit: 10 })).toMatchObject([{ caseId: 'RF-TEST22', seq: 2, data: { csat: 3 } }]);
    expect(await upgraded.cases.listEscalations(T0, to, { limit: 10 })).toMatchObject([{ id: 'esc-1' }]);
    // Once built, opening again only checks the marker (and builds nothing).
    await admin.del([`${prefix}cases-by-created`]);
    const again = await open();
    expect(await again.cases.listCreated(T0, to, { limit: 10 })).toEqual([]);
  });

  it('gives the conversation keys and its proof files a TTL that each turn commit restarts; cases get none', async () => {
    const { stores, prefix } = await harness({ conversationTtlMs: 60_000 });
    await stores.conversations.create({ id: 'conv-1', tokenHash: 'b'.repeat(64), channel: 'webchat', locale: 'en', createdAt: T0 });
    await stores.transcripts.append('conv-1', [{ text: 'greeting' }]);
    await stores.cases.create(aCase({ conversationId: 'conv-1' }), anEvent('RF-TEST22'));
    const proof = await stores.evidence.put(PNG, { name: 'photo.png', conversationId: 'conv-1' });
    // Let the TTLs run down a little, so that the commit visibly restarts them.
    await sleep(1_100);
    await stores.turns.run(key, countingTurn('hi'));
    for (const name of ['conversation:conv-1', 'transcript:conv-1', `state:${key.stateKey}`, `evidence:${proof.id}`, 'conversation-evidence:conv-1']) {
      const ttl = await admin.ttl(`${prefix}${name}`);
      expect(ttl, name).toBeGreaterThan(59_000);
      expect(ttl, name).toBeLessThanOrEqual(60_000);
    }
    for (const name of ['case:RF-TEST22', 'audit:RF-TEST22', 'cases-by-conversation:conv-1']) {
      expect(await admin.ttl(`${prefix}${name}`), name).toBe(-1);
    }
  });
});

describe('redis refund outbox atomicity', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('writes neither the case nor its audit event when queueing the approval fails (an approval is never stored unqueued)', async () => {
    const harness = await makeRedisHarness(admin);
    cleanup = harness.cleanup;
    const { stores, prefix } = harness;
    await stores.cases.create(aCase({ id: 'RF-PEND22' }), anEvent('RF-PEND22'));
    // Sabotage: the outbox key holds a string, so the script's ZADD on it fails.
    await admin.set(`${prefix}refund-outbox`, 'not a sorted set');
    await expect(stores.cases.create(aCase({ status: 'approved' }), anEvent('RF-TEST22'))).rejects.toThrow(/WRONGTYPE/);
    expect(await stores.cases.get('RF-TEST22')).toBeUndefined();
    expect(await stores.cases.audit('RF-TEST22')).toEqual([]);
    expect(await stores.cases.byOrder('100234')).toMatchObject([{ id: 'RF-PEND22' }]);
    const approve = anEvent('RF-PEND22', { type: 'status_changed' });
    await expect(stores.cases.transition('RF-PEND22', 'pending_review', 'approved', approve, T0)).rejects.toThrow(/WRONGTYPE/);
    expect((await stores.cases.get('RF-PEND22'))?.status).toBe('pending_review');
    expect((await stores.cases.audit('RF-PEND22')).map((event) => event.type)).toEqual(['created']);
    // Moves that approve nothing do not touch the outbox.
    await stores.cases.transition('RF-PEND22', 'pending_review', 'denied', anEvent('RF-PEND22', { type: 'status_changed' }), T0);
  });
});

describe('redis store connection', () => {
  it('refuses to open within connectTimeoutMs when Redis is unreachable, naming REDIS_URL but not the password', async () => {
    const port = await freePort();
    const startedAt = performance.now();
    const error = await openRedisStores({
      url: `redis://:s3cret@127.0.0.1:${port}`,
      keyPrefix: 'refundbot-test-unreachable:',
      clock: new FixedClock(T0),
      conversationTtlMs: 60_000,
      connectTimeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(performance.now() - startedAt).toBeLessThan(1_500);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'redis_unreachable' });
    const message = (error as Error).message;
    expect(message).toContain(`REDIS_URL=redis://:***@127.0.0.1:${port}`);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).not.toContain('s3cret');
  });

  it('refuses a URL that is not a Redis URL, naming REDIS_URL', async () => {
    const options = { keyPrefix: 'x:', clock: new FixedClock(T0), conversationTtlMs: 60_000 };
    await expect(openRedisStores({ ...options, url: '' })).rejects.toBeInstanceOf(ConfigError);
    const error = await openRedisStores({ ...options, url: 'http://127.0.0.1:6379' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('REDIS_URL');
  });

  it('gives up at once when Redis answers but refuses the settings (here: a database it does not have)', async () => {
    const url = new URL(REDIS_URL);
    url.pathname = '/99999';
    const startedAt = performance.now();
    const error = await openRedisStores({ url: url.toString(), keyPrefix: 'x:', clock: new FixedClock(T0), conversationTtlMs: 60_000 }).catch(
      (e: unknown) => e,
    );
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'redis_refused' });
    expect((error as Error).message).toMatch(/REDIS_URL=.*DB index is out of range/);
  });

  it('checks its options up front', async () => {
    const options = { url: 'redis://127.0.0.1:1', keyPrefix: 'x:', clock: new FixedClock(T0), conversationTtlMs: 60_000 };
    await expect(openRedisStores({ ...options, keyPrefix: '' })).rejects.toThrow(/keyPrefix/);
    await expect(openRedisStores({ ...options, conversationTtlMs: 0 })).rejects.toThrow(/conversationTtlMs/);
    await expect(openRedisStores({ ...options, turnLeaseMs: 1.5 })).rejects.toThrow(/turnLeaseMs/);
    await expect(openRedisStores({ ...options, maxEvidenceBytes: 2 ** 40 })).rejects.toThrow(/maxEvidenceBytes/);
  });

  describe('with its own redis-server that stops and starts again', () => {
    let server: RedisServerProcess | undefined;
    let stores: RedisStores | undefined;
    let impatient: RedisStores | undefined;
    afterAll(async () => {
      server?.resume();
      await stores?.close();
      await impatient?.close();
      // Even when a test failed half-way: no redis-server may outlive the tests.
      server?.kill();
    });

    it('fails fast with store_unavailable while Redis is down and recovers by itself', async () => {
      server = new RedisServerProcess(await freePort());
      await server.start();
      stores = await openRedisStores({
        url: server.url,
        keyPrefix: 'refundbot-test:outage:',
        clock: new FixedClock(T0),
        conversationTtlMs: 60_000,
        ...TEST_TIMING,
      });
      const open = stores;
      await open.turns.run(turnKey(), countingTurn('before'));
      const notices = watchNotices(open.events, 'conv-1');
      try {
        await notices.whenActive();

        await server.stop();
        for (const attempt of [() => open.state.read(['a']), () => open.ping(), () => open.turns.run(turnKey(), countingTurn('during'))]) {
          const startedAt = performance.now();
          const error = await attempt().catch((e: unknown) => e);
          expect(performance.now() - startedAt).toBeLessThan(1_000);
          expect(error).toBeInstanceOf(UpstreamError);
          expect(error).toMatchObject({ code: 'store_unavailable', status: 503 });
        }

        await server.start();
        await until(
          () => open.ping().then(() => true, () => false),
          10_000,
          'the stores reconnecting',
        );
        // The restarted Redis kept nothing and forgot the scripts: they are sent again as needed.
        expect(await open.turns.run(turnKey(), countingTurn('after'))).toBe(0);
        const before = open.roundTrips();
        expect(await open.turns.run(turnKey(), countingTurn('again'))).toBe(1);
        expect(open.roundTrips() - before).toBe(2);
        // The subscriber connection subscribed again by itself.
        await notices.whenActive(5_000);
      } finally {
        notices.stop();
      }
    });

    it('gives up on a Redis that stopped answering after commandTimeoutMs, and carries on once it answers again', async () => {
      if (!server) throw new Error('the redis-server of the previous test is missing');
      impatient = await openRedisStores({
        url: server.url,
        keyPrefix: 'refundbot-test:hung:',
        clock: new FixedClock(T0),
        conversationTtlMs: 60_000,
        commandTimeoutMs: 300,
      });
      const open = impatient;
      server.pause();
      try {
        const startedAt = performance.now();
        const error = await open.state.read(['a']).catch((e: unknown) => e);
        const waited = performance.now() - startedAt;
        expect(waited).toBeGreaterThanOrEqual(290);
        expect(waited).toBeLessThan(1_000);
        expect(error).toMatchObject({ code: 'store_unavailable', status: 503 });
        expect((error as Error).message).toMatch(/within 300 ms/);
      } finally {
        server.resume();
      }
      await until(() => open.ping().then(() => true, () => false), 5_000, 'answers again');
      await open.state.write({ a: { n: 1 } });
      expect((await open.state.read(['a'])).a?.n).toBe(1);
    });
  });
});
