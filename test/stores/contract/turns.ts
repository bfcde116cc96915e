import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import type { CurrentHarness } from './harness.ts';
import { countOf, gate, incrementCommit, turnKey, watchNotices, within } from './turnKit.ts';

/** TurnStore: one turn at a time per conversation, snapshot before, one atomic commit after. */
export function turnContract(current: CurrentHarness): void {
  const stores = () => current().stores;
  const key = turnKey();

  it('runs concurrent turns of a conversation one at a time, in call order, each seeing the previous commit', async () => {
    const started: number[] = [];
    let running = 0;
    let overlapped = false;
    const seen = await Promise.all(
      Array.from({ length: 6 }, (_, turn) =>
        stores().turns.run(key, async (snapshot) => {
          started.push(turn);
          overlapped ||= running > 0;
          running++;
          // Give another turn every chance to start meanwhile.
          await sleep(5);
          running--;
          return { result: countOf(snapshot), commit: incrementCommit(snapshot, [{ turn }]) };
        }),
      ),
    );
    expect(overlapped).toBe(false);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await stores().state.read([key.stateKey])).toEqual({ [key.stateKey]: { count: 6, eTag: expect.any(String) } });
    const entries = await stores().transcripts.list(key.conversationId, 0);
    expect(entries).toEqual([0, 1, 2, 3, 4, 5].map((turn) => ({ seq: turn + 1, activity: { turn } })));
  });

  it('gives the turn the stored state with its eTag, and the commit a new eTag', async () => {
    await stores().state.write({ [key.stateKey]: { count: 41, slots: { orderId: '100234' } } });
    const stored = (await stores().state.read([key.stateKey]))[key.stateKey];
    const snapshot = await stores().turns.run(key, async (snapshot) => ({ result: snapshot, commit: incrementCommit(snapshot, []) }));
    expect(snapshot).toEqual({ state: stored });
    const after = (await stores().state.read([key.stateKey]))[key.stateKey];
    expect(after).toEqual({ count: 42, eTag: expect.any(String) });
    expect(after?.eTag).not.toBe(stored?.eTag);
  });

  it('writes nothing for a turn that throws, and lets the next one run', async () => {
    await stores().turns.run(key, async (snapshot) => ({ result: undefined, commit: incrementCommit(snapshot, [{ text: 'first' }]) }));
    const failing = stores().turns.run(key, async (snapshot) => {
      await stores().transcripts.list(key.conversationId, 0);
      if (countOf(snapshot) > 0) throw new Error('the dialog broke');
      return { result: undefined, commit: incrementCommit(snapshot, [{ text: 'never' }]) };
    });
    const next = stores().turns.run(key, async (snapshot) => ({ result: countOf(snapshot), commit: { transcript: [{ text: 'next' }] } }));
    await expect(failing).rejects.toThrow('the dialog broke');
    expect(await next).toBe(1);
    const entries = await stores().transcripts.list(key.conversationId, 0);
    expect(entries.map((entry) => entry.activity.text)).toEqual(['first', 'next']);
    expect((await stores().state.read([key.stateKey]))[key.stateKey]?.count).toBe(1);
  });

  it('rejects a commit whose state changed since the snapshot (etag_conflict), writing nothing', async () => {
    await stores().state.write({ [key.stateKey]: { count: 1 } });
    const error = await stores()
      .turns.run(key, async (snapshot) => {
        // Someone writes the item outside the turn (e.g. an older release or an admin tool).
        await stores().state.write({ [key.stateKey]: { count: 50, eTag: '*' } });
        return { result: undefined, commit: incrementCommit(snapshot, [{ text: 'lost' }]) };
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'etag_conflict', status: 409 });
    expect((await stores().state.read([key.stateKey]))[key.stateKey]?.count).toBe(50);
    expect(await stores().transcripts.list(key.conversationId, 0)).toEqual([]);
    // The conversation is free again, and the next turn sees what is really stored.
    expect(await stores().turns.run(key, async (snapshot) => ({ result: countOf(snapshot), commit: { transcript: [] } }))).toBe(50);
  });

  it('applies the stricter eTag rule: expecting no item fails if one appeared, expecting one fails if it is gone', async () => {
    const appeared = stores().turns.run(key, async (snapshot) => {
      expect(snapshot.state).toBeUndefined();
      await stores().state.write({ [key.stateKey]: { count: 7 } });
      return { result: undefined, commit: incrementCommit(snapshot, []) };
    });
    await expect(appeared).rejects.toMatchObject({ code: 'etag_conflict' });
    expect((await stores().state.read([key.stateKey]))[key.stateKey]?.count).toBe(7);

    const vanished = stores().turns.run(key, async (snapshot) => {
      await stores().state.delete([key.stateKey]);
      return { result: undefined, commit: incrementCommit(snapshot, []) };
    });
    await expect(vanished).rejects.toMatchObject({ code: 'etag_conflict' });
    expect(await stores().state.read([key.stateKey])).toEqual({});
  });

  it('leaves the state alone when the commit has none, and still appends the transcript', async () => {
    await stores().state.write({ [key.stateKey]: { count: 3 } });
    const before = await stores().state.read([key.stateKey]);
    await stores().turns.run(key, async () => ({ result: undefined, commit: { transcript: [{ text: 'only history' }] } }));
    expect(await stores().state.read([key.stateKey])).toEqual(before);
    expect(await stores().transcripts.list(key.conversationId, 0)).toEqual([{ seq: 1, activity: { text: 'only history' } }]);
  });

  it('appends the transcript after earlier entries with consecutive seqs and notifies subscribers', async () => {
    await stores().transcripts.append(key.conversationId, [{ text: 'greeting' }]);
    const notices = watchNotices(stores().events, key.conversationId);
    const elsewhere = watchNotices(stores().events, 'conv-2');
    try {
      await notices.whenActive();
      await elsewhere.whenActive();
      const heard = notices.next(2_000);
      await stores().turns.run(key, async () => ({ result: undefined, commit: { transcript: [{ text: 'a' }, { text: 'b' }] } }));
      await heard;
      expect(await stores().transcripts.list(key.conversationId, 1)).toEqual([
        { seq: 2, activity: { text: 'a' } },
        { seq: 3, activity: { text: 'b' } },
      ]);
      // Give a stray notice for another conversation the time to arrive, if there were one.
      await stores().ping();
      await sleep(20);
      expect(elsewhere.count).toBe(0);
    } finally {
      notices.stop();
      elsewhere.stop();
    }
  });

  it('runs turns of different conversations at the same time', async () => {
    const secondStarted = gate();
    const first = stores().turns.run(turnKey('conv-1'), async () => {
      // Holds conv-1 until conv-2's turn has started: serialising the two would deadlock here.
      await secondStarted.opened;
      return { result: 'first', commit: { transcript: [] } };
    });
    const second = stores().turns.run(turnKey('conv-2'), async () => {
      secondStarted.open();
      return { result: 'second', commit: { transcript: [] } };
    });
    expect(await within(5_000, Promise.all([first, second]), 'both turns finishing')).toEqual(['first', 'second']);
  });

  it('refuses a turn key without a conversation or state key', async () => {
    const work = async () => ({ result: undefined, commit: { transcript: [] } });
    await expect(stores().turns.run({ conversationId: '', stateKey: 's' }, work)).rejects.toMatchObject({ code: 'invalid_turn_key' });
    await expect(stores().turns.run({ conversationId: 'c', stateKey: '' }, work)).rejects.toMatchObject({ code: 'invalid_turn_key' });
  });
}
