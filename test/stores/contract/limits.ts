import { expect, it } from 'vitest';
import type { CurrentHarness } from './harness.ts';

/** IdempotencyStore and RateLimitStore. Windows are short: on Redis they pass in real time. */
export function limitsContract(current: CurrentHarness): void {
  const harness = () => current();

  it('lets the first claim of a key win until its TTL has passed', async () => {
    const { idempotency } = harness().stores;
    expect(await idempotency.claim('slack:event:Ev01', 300)).toBe(true);
    expect(await idempotency.claim('slack:event:Ev01', 300)).toBe(false);
    expect(await idempotency.claim('slack:event:Ev02', 300)).toBe(true);
    await harness().elapse(350);
    expect(await idempotency.claim('slack:event:Ev01', 300)).toBe(true);
    expect(await idempotency.claim('slack:event:Ev01', 300)).toBe(false);
  });

  it('lets exactly one of several concurrent claims win', async () => {
    const { idempotency } = harness().stores;
    const claims = await Promise.all(Array.from({ length: 8 }, () => idempotency.claim('wechat:msg:42', 60_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('refuses a TTL that is not a positive whole number of ms', async () => {
    await expect(harness().stores.idempotency.claim('k', 0)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(harness().stores.idempotency.claim('k', 1.5)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(harness().stores.idempotency.claim('', 10)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('counts hits per key in a fixed window and starts again after it', async () => {
    const { rateLimits } = harness().stores;
    const now = harness().clock.now().getTime();
    const first = await rateLimits.hit('api:1.2.3.4', 500);
    expect(first.count).toBe(1);
    expect(first.resetAt.getTime()).toBeGreaterThan(now);
    expect(first.resetAt.getTime()).toBeLessThanOrEqual(now + 500);
    expect((await rateLimits.hit('api:1.2.3.4', 500)).count).toBe(2);
    const third = await rateLimits.hit('api:1.2.3.4', 500);
    expect(third.count).toBe(3);
    // The window does not move with the hits.
    expect(third.resetAt.getTime()).toBeLessThanOrEqual(first.resetAt.getTime());
    expect((await rateLimits.hit('api:5.6.7.8', 500)).count).toBe(1);
    await harness().elapse(550);
    const next = await rateLimits.hit('api:1.2.3.4', 500);
    expect(next.count).toBe(1);
    expect(next.resetAt.getTime()).toBeGreaterThan(third.resetAt.getTime());
  });

  it('refuses a window that is not a positive whole number of ms', async () => {
    await expect(harness().stores.rateLimits.hit('k', -1)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
}
