import type { Clock } from '../../domain/clock.ts';
import { DEFAULT_MAX_EVIDENCE_BYTES } from '../../evidence/inspect.ts';
import { CodedError, ConfigError } from '../../errors.ts';
import type { Stores } from '../ports.ts';
import { CASE_SCRIPTS, RedisCaseStore } from './caseStore.ts';
import { ChannelHub } from './channelHub.ts';
import { connectRedis, redactUrl, type StoreLogger } from './connection.ts';
import { RedisConversationEvents } from './conversationEvents.ts';
import { RedisConversationStore } from './conversationStore.ts';
import { EVIDENCE_SCRIPTS, RedisEvidenceStore } from './evidenceStore.ts';
import { DESK_SCRIPTS, RedisDeskStore } from './deskStore.ts';
import { RedisIdempotencyStore } from './idempotencyStore.ts';
import { RedisSharedValueStore } from './sharedValueStore.ts';
import { RedisKeys } from './keys.ts';
import { PRIVACY_SCRIPTS, RedisPrivacyStore } from './privacyStore.ts';
import { RedisLink } from './link.ts';
import { RATE_LIMIT_SCRIPTS, RedisRateLimitStore } from './rateLimitStore.ts';
import { REFUND_OUTBOX_SCRIPTS, RedisRefundOutbox } from './refundOutbox.ts';
import { prepareServer } from './serverCheck.ts';
import { RedisStateStorage, STATE_SCRIPTS } from './stateStorage.ts';
import { buildPeriodIndexes, PERIOD_INDEX_SCRIPTS } from './periodIndexes.ts';
import { RedisSummaryStore, SUMMARY_SCRIPTS } from './summaryStore.ts';
import { RedisTranscriptStore, TRANSCRIPT_SCRIPTS } from './transcriptStore.ts';
import { TURN_SCRIPTS } from './turnScripts.ts';
import { RedisTurnStore } from './turnStore.ts';

export type { StoreLogger } from './connection.ts';

/*
 * Key layout. Every key starts with `keyPrefix` (P, e.g. `refundbot:`); the kind of key comes
 * next and the id last, so no id can name another kind's key. Epoch-ms integers for times.
 *
 *   P state:<stateKey>                      hash   etag, value (JSON)          TTL once a turn commits it
 *   P conversation:<id>                     string ConversationRecord JSON     TTL
 *   P transcript:<conversationId>           list   activity JSON; seq = position from 1      TTL
 *   P turns:<conversationId>                zset   queued turn tokens by ticket   deleted when idle
 *   P turn-deadlines:<conversationId>       hash   token → deadline ms, '#' → last ticket   deleted when idle
 *   P case:<caseId>                         hash   data (JSON), status, updatedAt, n   never expires
 *   P audit:<caseId>                        list   AuditEvent JSON; seq = position; only RPUSHed   never
 *   P cases-by-order:<orderId>              zset   case ids by createdAt         never
 *   P cases-by-customer:<customerId>        zset   case ids by createdAt         never
 *   P cases-by-conversation:<conversationId> zset  case ids by createdAt         never
 *   P escalation:<id>                       hash   data (JSON), n                never
 *   P escalations-by-conversation:<id>      zset   escalation ids by at          never
 *   P cases-by-created                      zset   every case id by createdAt    never
 *   P audit-by-time                         zset   `<caseId>\0<seq, 10 digits>` by at, for audit events
 *                                                  of the kinds listed by period (status_changed,
 *                                                  escalated, note)            never
 *   P escalations-by-time                   zset   every escalation id by at     never
 *   P conversation-summary:<startedAt ms>:<conversationId>
 *                                           hash   channel, locale, startedAt, lastActiveAt, turns,
 *                                                  awaiting (absent: nothing), handed, hasCase
 *                                                  PX = summary retention, restarted by each turn
 *   P conversation-summaries                zset   `<startedAt ms>:<conversationId>` by startedAt;
 *                                                  members older than the retention are dropped by
 *                                                  each turn's commit
 *   P period-indexes-built                  string set once the time indexes cover older cases
 *   P insertion-counter                     string n of cases and escalations (orders equal times)
 *   P refund-outbox                         zset   approved case ids by due ms (a leased one: its lease's end)   never
 *   P refund-outbox-entry:<caseId>          hash   attempts, lease (token, while leased), queuedAt   deleted once delivered
 *   P evidence:<sha256>                     hash   bytes, contentType, size, name, conversationId, createdAt,
 *                                                  up:<conversationId> = that upload's name    TTL (with its last uploader)
 *   P conversation-evidence:<conversationId> hash  evidence id → upload JSON (name, uploadedAt)   TTL
 *   P conversation-customers:<conversationId> set  customer ids its turns linked it to             TTL
 *   P customer-conversations:<customerId>   zset   conversation ids by when linked (privacy index)  TTL (with its
 *                                                  latest conversation)
 *   P idempotency:<key>                     string PX = the claim's TTL
 *   P rate-limit:<key>                      string hit count, PX = rest of the window
 *   P value:<key>                           string a shared value, PX = its TTL
 *   P desk-open / desk-open-order           hash / zset   conversations with people (handoff JSON / since)   pruned
 *   P desk-threads / desk-thread-index      hash / hash   conversation ↔ desk card thread               pruned
 *   channel P events:<conversationId>       pub/sub 'transcript' | 'released' (turn hand-overs)
 *
 * TTL: a conversation's record, transcript and the state item its turns commit expire together,
 * `conversationTtlMs` after the last activity (create, transcript append, turn commit), and with
 * them its proof files (a file with the last conversation that uploaded it), its customer links
 * (the privacy index, src/privacy/) and — pruned every tenth of the TTL, as hash fields cannot
 * expire — its desk entries. Cases, audit trails and escalations are kept until erased by hand
 * (`refundbot privacy erase` anonymises a customer's cases in place). Conversation summaries
 * (the merchant's figures) are merged by each turn's commit script, so they cost a turn no round
 * trip, and are kept `summaryRetentionMs` (400 days by default).
 *
 * Reads by period (the merchant's figures): each page is one script that walks a time index by
 * rank and reads the records it names, so a page costs one round trip and O(log N + page).
 *
 * Refund outbox: the scripts that create a case approved or move it to approved also write its
 * outbox entry (when the stores were opened with `queueApprovals`), before touching the case, so
 * that an error half-way leaves the approval unwritten rather than unqueued.
 *
 * Deployment: one Redis server, 6.2 or newer, reached by one URL (a managed Redis with a
 * fail-over endpoint is fine; Sentinel discovery would need node-redis's createSentinel, which
 * is not wired here). Redis Cluster is not supported and not needed: scripts touch several keys
 * at once (a case and its indexes), and the listing scripts read keys named by an index. Back up
 * with AOF (appendfsync everysec) or RDB snapshots: cases, audit trails and evidence live only
 * here.
 */

/** Options of the Redis backend. */
export interface RedisStoresOptions {
  /** `redis[s]://[[user]:password@]host[:port][/db]` (REDIS_URL). */
  url: string;
  /** Prefix of every key and channel, e.g. `refundbot:`; lets deployments (and tests) share a Redis. */
  keyPrefix: string;
  clock: Clock;
  /** A conversation (record, state, history) is deleted this long after its last activity. */
  conversationTtlMs: number;
  /** Conversation summaries are kept this long after their conversation's last turn (and listed for this long after it started); 400 days by default. */
  summaryRetentionMs?: number;
  /** Largest accepted proof file; 10 MB by default (Redis caps values at 512 MB). */
  maxEvidenceBytes?: number;
  /** Longest a turn holds its conversation; a turn whose instance died is taken over after it. 30 s by default. */
  turnLeaseMs?: number;
  /** Longest a turn waits for earlier turns before failing with `conversation_busy`. 35 s by default. */
  turnWaitMs?: number;
  /** How often a waiting turn checks the queue when no hand-over wakes it. 500 ms by default. */
  turnPollMs?: number;
  /** Start-up fails when Redis is not reachable within this. 5 s by default. */
  connectTimeoutMs?: number;
  /** A command without an answer within this fails with `store_unavailable`. 5 s by default. */
  commandTimeoutMs?: number;
  /** Where lost/restored connections and other handled trouble are reported. */
  logger?: StoreLogger;
  /**
   * Queue each approval in the refund outbox, in the approval's own script: on when the refund
   * webhook is configured. Off by default: nothing would ever take the entries out, and turning
   * the webhook on later must not send old approvals that staff may have paid by hand.
   */
  queueApprovals?: boolean;
}

/** The Redis backend: the stores plus a count of the round trips they made (for the benchmark). */
export type RedisStores = Stores & {
  /** Network round trips to Redis made by these stores since they opened. */
  roundTrips(): number;
};

const DEFAULTS = {
  turnLeaseMs: 30_000,
  turnWaitMs: 35_000,
  turnPollMs: 500,
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 5_000,
  summaryRetentionMs: 400 * 24 * 60 * 60 * 1000,
};
const REDIS_MAX_VALUE_BYTES = 512 * 1024 * 1024;

/**
 * Opens every store on Redis, for several instances behind a load balancer. Connects (two
 * connections: commands and pub/sub) and loads the Lua scripts before resolving; rejects within
 * `connectTimeoutMs` with an error naming REDIS_URL when Redis cannot be used. While running,
 * calls fail fast with `UpstreamError` `store_unavailable` (503) when Redis is down, and the
 * connections come back by themselves.
 */
export async function openRedisStores(options: RedisStoresOptions): Promise<RedisStores> {
  const settings = checkOptions(options);
  const connections = await connectRedis({ url: options.url, connectTimeoutMs: settings.connectTimeoutMs, logger: options.logger });
  const link = new RedisLink({ ...connections, commandTimeoutMs: settings.commandTimeoutMs });
  try {
    await prepareServer(
      link,
      [
        ...STATE_SCRIPTS,
        ...TRANSCRIPT_SCRIPTS,
        ...CASE_SCRIPTS,
        ...EVIDENCE_SCRIPTS,
        ...RATE_LIMIT_SCRIPTS,
        ...TURN_SCRIPTS,
        ...DESK_SCRIPTS,
        ...REFUND_OUTBOX_SCRIPTS,
        ...SUMMARY_SCRIPTS,
        ...PERIOD_INDEX_SCRIPTS,
        ...PRIVACY_SCRIPTS,
      ],
      redactUrl(options.url),
    );
    await buildPeriodIndexes(link, new RedisKeys(options.keyPrefix));
  } catch (error) {
    await link.close();
    throw error;
  }

  const keys = new RedisKeys(options.keyPrefix);
  const clock = options.clock;
  const ttlMs = options.conversationTtlMs;
  const logger = options.logger;
  const hub = new ChannelHub({ link, logger });
  const turns = new RedisTurnStore({
    link,
    keys,
    hub,
    ttlMs,
    summaryRetentionMs: settings.summaryRetentionMs,
    timing: { leaseMs: settings.turnLeaseMs, waitMs: settings.turnWaitMs, pollMs: settings.turnPollMs },
    logger,
  });
  let closing: Promise<void> | undefined;
  const conversations = new RedisConversationStore({ link, keys, ttlMs });
  const transcripts = new RedisTranscriptStore({ link, keys, ttlMs });
  const summaries = new RedisSummaryStore({ link, keys, retentionMs: settings.summaryRetentionMs });
  const desk = new RedisDeskStore({ link, keys, clock: options.clock });
  // Desk entries are hash fields, which cannot expire: drop those of expired conversations as
  // often as the embedded store sweeps (a tenth of the TTL, between a second and ten minutes).
  const pruner = setInterval(() => {
    desk.prune().catch((error: unknown) => logger?.warn({ err: error }, 'could not prune the desk index of expired conversations'));
  }, Math.min(Math.max(Math.floor(ttlMs / 10), 1_000), 10 * 60 * 1000));
  pruner.unref();

  return {
    state: new RedisStateStorage({ link, keys }),
    conversations,
    transcripts,
    evidence: new RedisEvidenceStore({ link, keys, clock, maxBytes: settings.maxEvidenceBytes, ttlMs }),
    cases: new RedisCaseStore({ link, keys, queueApprovals: options.queueApprovals ?? false }),
    summaries,
    privacy: new RedisPrivacyStore({ link, keys, conversations, transcripts, summaries, desk }),
    refundOutbox: new RedisRefundOutbox({ link, keys }),
    turns,
    events: new RedisConversationEvents({ link, keys, hub }),
    idempotency: new RedisIdempotencyStore({ link, keys }),
    desk,
    rateLimits: new RedisRateLimitStore({ link, keys, clock }),
    values: new RedisSharedValueStore({ link, keys }),
    async ping() {
      await link.command(['PING']);
    },
    close() {
      closing ??= (async () => {
        clearInterval(pruner);
        turns.close();
        await link.close();
      })();
      return closing;
    },
    roundTrips: () => link.roundTrips(),
  };
}

function checkOptions(options: RedisStoresOptions): typeof DEFAULTS & { maxEvidenceBytes: number } {
  if (!options) throw invalidOption('options are required');
  if (typeof options.url !== 'string' || options.url.trim() === '') {
    throw new ConfigError('invalid_redis_url', 'REDIS_URL is empty; set it to redis://host:port or leave it unset for the embedded store');
  }
  if (typeof options.keyPrefix !== 'string' || options.keyPrefix === '') throw invalidOption('options.keyPrefix must be a non-empty string');
  if (!options.clock || typeof options.clock.now !== 'function') throw invalidOption('options.clock is required');
  positiveInteger('conversationTtlMs', options.conversationTtlMs);
  const settings = {
    turnLeaseMs: options.turnLeaseMs ?? DEFAULTS.turnLeaseMs,
    turnWaitMs: options.turnWaitMs ?? DEFAULTS.turnWaitMs,
    turnPollMs: options.turnPollMs ?? DEFAULTS.turnPollMs,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
    summaryRetentionMs: options.summaryRetentionMs ?? DEFAULTS.summaryRetentionMs,
    maxEvidenceBytes: options.maxEvidenceBytes ?? DEFAULT_MAX_EVIDENCE_BYTES,
  };
  for (const [name, value] of Object.entries(settings)) positiveInteger(name, value);
  if (settings.maxEvidenceBytes > REDIS_MAX_VALUE_BYTES) {
    throw invalidOption(`options.maxEvidenceBytes must be at most ${REDIS_MAX_VALUE_BYTES} (Redis's largest value), got ${settings.maxEvidenceBytes}`);
  }
  return settings;
}

function positiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidOption(`options.${name} must be a positive whole number, got ${String(value)}`);
  }
}

function invalidOption(message: string): CodedError {
  return new CodedError('bug', 'invalid_option', `openRedisStores: ${message}`, 500);
}
