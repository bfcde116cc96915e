import { expect, it } from 'vitest';
import { PDF } from '../../evidence/fixtures.ts';
import { aCase, anEvent, at, T0, type CurrentHarness } from './harness.ts';

/** Everything written is still there after the backend is closed and opened again. */
export function restartContract(current: CurrentHarness): void {
  it('keeps every store across a restart', async () => {
    const before = current().stores;
    await before.state.write({ dialog: { step: 2, slots: { orderId: '100234' } } });
    const { eTag } = (await before.state.read(['dialog'])).dialog;
    const conversation = { id: 'conv-1', tokenHash: 'e'.repeat(64), channel: 'webchat', locale: 'en' as const, createdAt: T0 };
    await before.conversations.create(conversation);
    await before.transcripts.append('conv-1', [{ text: 'hi' }, { text: 'hello' }]);
    await before.cases.create(aCase(), anEvent('RF-TEST22'));
    const event = anEvent('RF-TEST22', { type: 'status_changed', at: at(1) });
    await before.cases.transition('RF-TEST22', 'pending_review', 'approved', event, at(1));
    const escalation = { id: 'esc-1', conversationId: 'conv-1', reason: 'dispute' as const, locale: 'en' as const, at: at(2) };
    await before.cases.addEscalation(escalation);
    const proof = await before.evidence.put(PDF, { name: 'invoice.pdf', conversationId: 'conv-1' });

    const after = await current().reopen();
    expect(await after.state.read(['dialog'])).toEqual({ dialog: { step: 2, slots: { orderId: '100234' }, eTag } });
    expect(await after.conversations.get('conv-1')).toEqual(conversation);
    expect(await after.transcripts.append('conv-1', [{ text: 'again' }])).toEqual([3]);
    expect((await after.transcripts.list('conv-1', 0)).map((entry) => entry.activity.text)).toEqual(['hi', 'hello', 'again']);
    expect(await after.cases.get('RF-TEST22')).toEqual(aCase({ status: 'approved', updatedAt: at(1) }));
    expect((await after.cases.audit('RF-TEST22')).map((e) => e.type)).toEqual(['created', 'status_changed']);
    expect(await after.cases.escalations('conv-1')).toEqual([escalation]);
    expect((await after.evidence.get(proof.id))?.ref).toEqual(proof);
    // The stale-eTag rule still holds for state written before the restart.
    await expect(after.state.write({ dialog: { step: 3, eTag: 'stale' } })).rejects.toMatchObject({ code: 'etag_conflict' });
  });

  it('answers ping while open and fails it once closed', async () => {
    const { stores } = current();
    await expect(stores.ping()).resolves.toBeUndefined();
    await stores.close();
    await expect(stores.ping()).rejects.toThrow();
    await expect(stores.close()).resolves.toBeUndefined();
  });
}
