import { describe, expect, it } from 'vitest';
import { runSoak } from './soak.ts';

/**
 * Issue 10 §6, bounded for `npm test`: the soak of `npm run soak` at a small size — two real
 * server processes on a Redis of its own, 40 refund conversations through the HTTP API, one
 * instance SIGKILLed and Redis restarted on the way. Every conversation completes or can
 * continue, every announced case exists exactly once, no refund is approved twice, and every
 * approved refund reaches the merchant's webhook (signed) and is paid exactly once.
 */
describe('soak (bounded)', () => {
  it('loses nothing and doubles nothing through a process kill and a Redis restart', async () => {
    const figures = await runSoak({
      instances: 2,
      conversations: 40,
      concurrency: 16,
      thinkMs: [50, 300],
      kills: 1,
      killDownMs: 1_000,
      redisRestarts: 1,
      redisDownMs: 1_500,
      retryForMs: 60_000,
      // A dispatcher killed while holding a delivery's lease gives it up after 60 s.
      settleMs: 75_000,
    });
    // The figures are the failure message: which invariant broke and for which cases.
    expect(figures.failures, figures.lines.join('\n')).toEqual([]);
  }, 240_000);
});
