import { expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import type { CurrentHarness } from './harness.ts';

/** StateStorage: botbuilder's Storage eTag contract (ports.ts). */
export function stateContract(current: CurrentHarness): void {
  const state = () => current().stores.state;

  it('reads only the keys that exist, each with a string eTag', async () => {
    await state().write({ a: { count: 1, nested: { list: [1, 'two'] } } });
    const read = await state().read(['a', 'missing']);
    expect(Object.keys(read)).toEqual(['a']);
    expect(read.a).toEqual({ count: 1, nested: { list: [1, 'two'] }, eTag: expect.any(String) });
  });

  it('gives every write a new eTag', async () => {
    await state().write({ a: { n: 1 } });
    const first = (await state().read(['a'])).a.eTag;
    await state().write({ a: { n: 2, eTag: first } });
    const second = (await state().read(['a'])).a.eTag;
    await state().write({ a: { n: 3, eTag: '*' } });
    const third = (await state().read(['a'])).a.eTag;
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it('writes with the current eTag and rejects a stale one without changing anything', async () => {
    await state().write({ a: { n: 1 } });
    const stale = (await state().read(['a'])).a;
    await state().write({ a: { ...stale, n: 2 } });
    const error = await state().write({ a: { ...stale, n: 99 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'etag_conflict', status: 409 });
    expect((await state().read(['a'])).a.n).toBe(2);
  });

  it('rejects the whole batch when any item is stale', async () => {
    await state().write({ a: { n: 1 }, b: { n: 1 } });
    const before = await state().read(['a', 'b']);
    await state().write({ b: { n: 2, eTag: '*' } });
    // `a` is fresh and listed first: a store checking item by item would already have written it.
    const batch = { a: { ...before.a, n: 50 }, b: { ...before.b, n: 50 }, c: { n: 50 } };
    await expect(state().write(batch)).rejects.toMatchObject({ code: 'etag_conflict' });
    const after = await state().read(['a', 'b', 'c']);
    expect(after.a).toEqual(before.a);
    expect(after.b.n).toBe(2);
    expect(after.c).toBeUndefined();
  });

  it("overwrites regardless of the stored eTag with '*' or without an eTag", async () => {
    await state().write({ a: { n: 1 } });
    await state().write({ a: { n: 2, eTag: '*' } });
    expect((await state().read(['a'])).a.n).toBe(2);
    await state().write({ a: { n: 3 } });
    expect((await state().read(['a'])).a.n).toBe(3);
  });

  it('writes an item carrying an eTag when nothing is stored under its key (MemoryStorage rule)', async () => {
    await state().write({ a: { n: 1, eTag: 'from-elsewhere' } });
    expect((await state().read(['a'])).a.n).toBe(1);
  });

  it('lets exactly one of two concurrent writers with the same eTag win', async () => {
    await state().write({ a: { owner: 'none' } });
    const { eTag } = (await state().read(['a'])).a;
    const results = await Promise.allSettled([
      state().write({ a: { owner: 'first', eTag } }),
      state().write({ a: { owner: 'second', eTag } }),
    ]);
    const won = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(won).toHaveLength(1);
    const lost = results.find((result) => result.status === 'rejected');
    expect(lost).toMatchObject({ reason: { code: 'etag_conflict' } });
    expect((await state().read(['a'])).a.owner).toBe(won[0] === 0 ? 'first' : 'second');
  });

  it('stores JSON: dates come back as ISO strings, undefined properties disappear', async () => {
    const when = new Date('2026-11-03T09:00:00.000Z');
    await state().write({ a: { when, gone: undefined, nested: { when } } });
    const read = (await state().read(['a'])).a;
    expect(read.when).toBe('2026-11-03T09:00:00.000Z');
    expect(read.nested.when).toBe('2026-11-03T09:00:00.000Z');
    expect('gone' in read).toBe(false);
  });

  it('returns copies: changing what was read changes nothing stored', async () => {
    await state().write({ a: { list: [1] } });
    const read = (await state().read(['a'])).a;
    read.list.push(2);
    expect((await state().read(['a'])).a.list).toEqual([1]);
  });

  it('deletes keys and ignores missing ones', async () => {
    await state().write({ a: { n: 1 }, b: { n: 2 } });
    await state().delete(['a', 'missing']);
    expect(await state().read(['a', 'b'])).toEqual({ b: { n: 2, eTag: expect.any(String) } });
  });
}
