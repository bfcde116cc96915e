import type { WebClient } from '@slack/web-api';
import { DeskOutbox, type RetryPolicy } from '../channels/slack-desk/outbox.ts';
import { classifySlackError } from '../channels/slack-desk/slackErrors.ts';
import type { Clock } from '../domain/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { IdempotencyStore } from '../stores/ports.ts';
import { type DigestMessage, weeklyDigest } from './digest.ts';
import type { Stats, StatsQuery } from './types.ts';
import { type DigestSlot, dayString, followingSlot, slotOfWeek } from './week.ts';

/** Timers, injectable so tests fire them by hand. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Real timers, unref'd: a pending digest never keeps the process alive. */
export const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface WeeklyDigestSchedulerOptions {
  /** The merchant's figures for a period (`computeStats` over the stores). */
  stats: (query: StatsQuery) => Promise<Stats>;
  /** Sends the message (queued for Slack: see `createWeeklyDigest`). */
  post: (message: DigestMessage) => Promise<void>;
  /** Shared by every instance: the first to claim a week's key posts it. */
  idempotency: IdempotencyStore;
  clock: Clock;
  logger: Logger;
  /** IANA zone the weeks are counted in (DIGEST_TIME_ZONE). */
  timeZone: string;
  /** Monday at this hour, local; 9 by default. */
  hour?: number;
  /** The dashboard for a week (linked from the message). */
  dashboardUrl?: (slot: DigestSlot) => string;
  timers?: Timers;
  /**
   * An instance that starts (or wakes) this long after Monday 09:00 still posts the week's
   * digest if no instance has: 12 hours by default. Later, that week is skipped.
   */
  catchUpMs?: number;
  /** Wait before trying again when the figures could not be computed; 5 minutes by default. */
  retryMs?: number;
}

const HOUR_MS = 60 * 60 * 1000;
/** setTimeout's longest delay (about 24.8 days); a week is well within it. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** A week's claim outlives any instance that could still be catching up on it. */
const CLAIM_TTL_MS = 30 * 24 * HOUR_MS;

/** What one run did. */
export type DigestRun = 'posted' | 'already_posted';

/**
 * Posts the weekly digest every Monday at 09:00 in the merchant's time zone: the week just ended
 * (Monday to Sunday, local) against the week before. Every instance runs one; the first to claim
 * `digest:<ISO week>` in the shared idempotency store posts, the others skip. The timer is
 * re-armed after every run (a `setTimeout` per week, from the injected clock).
 *
 * A claim is made only after the figures are computed, so a failed computation is retried
 * (every `retryMs`, within the catch-up window) instead of losing the week.
 */
export class WeeklyDigestScheduler {
  readonly #options: WeeklyDigestSchedulerOptions;
  readonly #timers: Timers;
  readonly #hour: number;
  readonly #catchUpMs: number;
  readonly #retryMs: number;
  /** Weeks this instance has finished (posted, or found posted). */
  readonly #done = new Set<string>();
  #timer: unknown;
  #running: Promise<void> | undefined;
  #started = false;
  /** When the next digest is due, as last armed (logs and tests). */
  nextDue: Date | undefined;

  constructor(options: WeeklyDigestSchedulerOptions) {
    for (const name of ['stats', 'post', 'idempotency', 'clock', 'logger', 'timeZone'] as const) {
      if (!options?.[name]) throw new TypeError(`WeeklyDigestScheduler: options.${name} is required`);
    }
    this.#options = options;
    this.#timers = options.timers ?? realTimers;
    this.#hour = options.hour ?? 9;
    this.#catchUpMs = options.catchUpMs ?? 12 * HOUR_MS;
    this.#retryMs = options.retryMs ?? 5 * 60 * 1000;
  }

  /** Arms the timer for the next Monday 09:00 (or runs at once when this week's is due and unposted). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#arm();
  }

  /** Disarms; a run in progress finishes (`idle`). */
  stop(): void {
    this.#started = false;
    this.#disarm();
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /**
   * Computes the slot's figures and posts them unless another instance already has. Exposed for
   * tests and for an operator who wants a week's digest now.
   */
  async runSlot(slot: DigestSlot): Promise<DigestRun> {
    const { stats, idempotency, post, dashboardUrl, logger } = this.#options;
    const [week, previous] = await Promise.all([stats({ from: slot.week.from, to: slot.week.to }), stats({ from: slot.previous.from, to: slot.previous.to })]);
    const message = weeklyDigest({
      week,
      previous,
      days: { first: dayString(slot.firstDay), last: dayString(slot.lastDay) },
      timeZone: this.#options.timeZone,
      ...(dashboardUrl ? { dashboardUrl: dashboardUrl(slot) } : {}),
    });
    if (!(await idempotency.claim(`digest:${slot.isoWeek}`, CLAIM_TTL_MS))) {
      logger.info({ week: slot.isoWeek }, 'weekly digest: already posted by another instance');
      return 'already_posted';
    }
    await post(message);
    logger.info({ week: slot.isoWeek, cases: week.cases.total }, 'weekly digest: posted');
    return 'posted';
  }

  #arm(): void {
    this.#disarm();
    if (!this.#started) return;
    const now = this.#options.clock.now();
    let slot = slotOfWeek(now, this.#options.timeZone, this.#hour);
    if (now.getTime() >= slot.due.getTime()) {
      if (now.getTime() - slot.due.getTime() < this.#catchUpMs && !this.#done.has(slot.isoWeek)) {
        this.#run(slot);
        return;
      }
      slot = followingSlot(slot, this.#options.timeZone, this.#hour);
    }
    this.nextDue = slot.due;
    // On waking, #arm looks at the clock again: a timer that fired early just re-arms.
    this.#schedule(Math.min(MAX_DELAY_MS, slot.due.getTime() - now.getTime()));
  }

  #run(slot: DigestSlot): void {
    this.nextDue = slot.due;
    const run = (async () => {
      try {
        await this.runSlot(slot);
        this.#done.add(slot.isoWeek);
        this.#arm();
      } catch (error) {
        this.#options.logger.error({ err: error, week: slot.isoWeek }, 'weekly digest: could not be made; will retry');
        if (this.#started) this.#schedule(this.#retryMs);
      }
    })();
    this.#running = run;
    void run.finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
  }

  #schedule(ms: number): void {
    this.#disarm();
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#arm();
    }, Math.max(0, ms));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }
}

export interface WeeklyDigestOptions {
  /** The desk's Web API client (`createSlackWebClient`) and the agent channel. */
  client: WebClient;
  channel: string;
  idempotency: IdempotencyStore;
  stats: (query: StatsQuery) => Promise<Stats>;
  clock: Clock;
  logger: Logger;
  /** DIGEST_TIME_ZONE. */
  timeZone: string;
  /** PUBLIC_URL: the message links `/agent/insight` for the week. */
  publicUrl?: string;
  hour?: number;
  retry?: Partial<RetryPolicy>;
  timers?: Timers;
  catchUpMs?: number;
}

/** The weekly digest, wired: start it with the server, stop it before the stores close. */
export interface WeeklyDigest {
  scheduler: WeeklyDigestScheduler;
  start(): void;
  /** Resolves when no run is in progress and the message, if any, has reached Slack (or been given up). */
  idle(): Promise<void>;
  /** Disarms, lets a run in progress finish (5 s at most), then drops what Slack has not taken. */
  stop(): Promise<void>;
}

/**
 * The weekly digest on the agent Slack channel: the scheduler above, posting through a desk
 * outbox (rate limits, 5xx and network failures retried with backoff, as the case cards are).
 * Give it `stats: (query) => computeStats(…, query)`.
 */
export function createWeeklyDigest(options: WeeklyDigestOptions): WeeklyDigest {
  const { client, channel, logger } = options;
  const outbox = new DeskOutbox({ logger, classify: classifySlackError, ...(options.retry ? { retry: options.retry } : {}) });
  const base = options.publicUrl?.replace(/\/+$/, '');
  const scheduler = new WeeklyDigestScheduler({
    stats: options.stats,
    idempotency: options.idempotency,
    clock: options.clock,
    logger,
    timeZone: options.timeZone,
    ...(options.hour !== undefined ? { hour: options.hour } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.catchUpMs !== undefined ? { catchUpMs: options.catchUpMs } : {}),
    ...(base ? { dashboardUrl: (slot: DigestSlot) => `${base}/agent/insight?from=${dayString(slot.firstDay)}&to=${dayString(slot.lastDay)}` } : {}),
    post: async (message) => {
      outbox.appendMessage('weekly-digest', {
        label: 'weekly digest',
        run: async () => {
          await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
        },
      });
    },
  });
  const idle = async () => {
    await scheduler.idle();
    await outbox.idle();
  };
  return {
    scheduler,
    start: () => scheduler.start(),
    idle,
    async stop() {
      scheduler.stop();
      await Promise.race([idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      outbox.close();
    },
  };
}
