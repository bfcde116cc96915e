import type { Clock } from '../domain/clock.ts';
import type { RateLimitStore } from '../stores/ports.ts';

/** One counted hit of a limit: how many so far in this window, and when the window ends. */
export interface WindowHit {
  count: number;
  resetAt: Date;
}

/**
 * Counts one hit of `key` in the current fixed window of `windowMs`, windows being aligned to
 * the injected clock (multiples of `windowMs` since 1970: UTC hours, UTC days). The window is
 * part of the key, so a limit resets when the clock says so on both stores — the Redis
 * counter's own expiry runs on Redis's clock, which a test (or the CLI's `--now`) cannot move.
 * The store still expires the counter, at most `windowMs` after its first hit.
 */
export async function hitClockWindow(store: RateLimitStore, clock: Clock, key: string, windowMs: number): Promise<WindowHit> {
  const now = clock.now().getTime();
  const index = Math.floor(now / windowMs);
  const { count } = await store.hit(`${key}:${index}`, windowMs);
  return { count, resetAt: new Date((index + 1) * windowMs) };
}

/** Whole seconds until `resetAt` (at least 1), for a `Retry-After` header. */
export function secondsUntil(resetAt: Date, clock: Clock): number {
  return Math.max(1, Math.ceil((resetAt.getTime() - clock.now().getTime()) / 1000));
}
