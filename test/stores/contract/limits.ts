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

/** SharedValueStore: values every instance reads, with an expiry. */
export function sharedValuesContract(current: CurrentHarness): void {
  it('keeps a value until its TTL has passed, the last write winning', async () => {
    const { values } = current().stores;
    expect(await values.get('wechat:access-token')).toBeUndefined();
    await values.set('wechat:access-token', 'first', 300);
    await values.set('wechat:access-token', '令牌 second', 300);
    await values.set('other', 'x', 60_000);
    expect(await values.get('wechat:access-token')).toBe('令牌 second');
    await current().elapse(350);
    expect(await values.get('wechat:access-token')).toBeUndefined();
    expect(await values.get('other')).toBe('x');
  });

  it('forgets a deleted value, and survives a restart', async () => {
    const harness = current();
    await harness.stores.values.set('a', '1', 60_000);
    await harness.stores.values.set('b', '2', 60_000);
    await harness.stores.values.delete('a');
    await harness.stores.values.delete('never-set');
    const reopened = await harness.reopen();
    expect(await reopened.values.get('a')).toBeUndefined();
    expect(await reopened.values.get('b')).toBe('2');
  });

  it('refuses an empty key and a TTL that is not a positive whole number of ms', async () => {
    const { values } = current().stores;
    await expect(values.set('', 'v', 10)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(values.set('k', 'v', 0)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(values.get('')).rejects.toMatchObject({ code: 'invalid_argument' });
  });
}
