import { expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import type { ConversationRecord } from '../../../src/stores/ports.ts';
import { T0, type CurrentHarness } from './harness.ts';

const record: ConversationRecord = {
  id: 'conv-1',
  tokenHash: 'f'.repeat(64),
  channel: 'webchat',
  locale: 'zh-TW',
  createdAt: T0,
};

/** ConversationStore and TranscriptStore. */
export function conversationContract(current: CurrentHarness): void {
  const stores = () => current().stores;

  it('creates and gets a conversation; unknown ids are undefined', async () => {
    await stores().conversations.create(record);
    expect(await stores().conversations.get('conv-1')).toEqual(record);
    expect(await stores().conversations.get('conv-2')).toBeUndefined();
  });

  it('keeps a channel customer id with the conversation', async () => {
    const wechat = { ...record, id: 'conv-wx', channel: 'wechat', externalId: 'oXyZ-openid-123' };
    await stores().conversations.create(wechat);
    expect(await stores().conversations.get('conv-wx')).toEqual(wechat);
  });

  it('refuses to create a conversation twice and keeps the first', async () => {
    await stores().conversations.create(record);
    const error = await stores()
      .conversations.create({ ...record, tokenHash: '0'.repeat(64) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'conversation_exists' });
    expect((await stores().conversations.get('conv-1'))?.tokenHash).toBe(record.tokenHash);
  });

  it('numbers transcript entries 1, 2, 3… per conversation, in order', async () => {
    const { transcripts } = stores();
    expect(await transcripts.append('conv-1', [{ text: 'hi' }, { text: 'hello' }])).toEqual([1, 2]);
    expect(await transcripts.append('conv-2', [{ text: 'other' }])).toEqual([1]);
    expect(await transcripts.append('conv-1', [{ text: 'order 100234' }])).toEqual([3]);
    expect(await transcripts.append('conv-1', [])).toEqual([]);
    expect(await transcripts.list('conv-1', 0)).toEqual([
      { seq: 1, activity: { text: 'hi' } },
      { seq: 2, activity: { text: 'hello' } },
      { seq: 3, activity: { text: 'order 100234' } },
    ]);
  });

  it('lists only the entries after the watermark', async () => {
    const { transcripts } = stores();
    await transcripts.append('conv-1', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect((await transcripts.list('conv-1', 1)).map((entry) => entry.seq)).toEqual([2, 3]);
    expect(await transcripts.list('conv-1', 3)).toEqual([]);
    expect(await transcripts.list('unknown', 0)).toEqual([]);
  });

  it('refuses a watermark that is not a whole number of 0 or more', async () => {
    await expect(stores().transcripts.list('conv-1', -1)).rejects.toMatchObject({ code: 'invalid_watermark' });
    await expect(stores().transcripts.list('conv-1', 1.5)).rejects.toMatchObject({ code: 'invalid_watermark' });
  });

  it('gives concurrent appends distinct, gap-free seqs that keep each batch together', async () => {
    const { transcripts } = stores();
    const batches = Array.from({ length: 10 }, (_, batch) => [{ batch, part: 0 }, { batch, part: 1 }]);
    const seqs = await Promise.all(batches.map((activities) => transcripts.append('conv-1', activities)));
    expect(seqs.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const pair of seqs) expect(pair[1]).toBe((pair[0] ?? 0) + 1);
    const entries = await transcripts.list('conv-1', 0);
    for (const [index, pair] of seqs.entries()) {
      expect(entries[(pair[0] ?? 0) - 1]?.activity).toEqual({ batch: index, part: 0 });
    }
  });

  it('stores activities as JSON (a Date timestamp becomes its ISO string)', async () => {
    await stores().transcripts.append('conv-1', [{ timestamp: T0, from: { role: 'bot' } }]);
    expect((await stores().transcripts.list('conv-1', 0))[0]?.activity).toEqual({
      timestamp: T0.toISOString(),
      from: { role: 'bot' },
    });
  });
}
