import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/domain/case.ts';
import type { ConversationRecord, Stores } from '../../../src/stores/ports.ts';
import { JPEG, PNG } from '../../evidence/fixtures.ts';
import { aCase, anEvent, T0, type CurrentHarness, type MakeStores } from './harness.ts';
import { incrementCommit, turnKey } from './turnKit.ts';

const record = (id: string): ConversationRecord => ({ id, tokenHash: 'a'.repeat(64), channel: 'webchat', locale: 'en', createdAt: T0 });
const summary = { channel: 'webchat', locale: 'en', startedAt: T0, at: T0, customerTurns: 1, awaiting: 'orderId', handedToPeople: false, hasCase: false };

/** A conversation with everything a conversation can leave: record, state, transcript, an upload, a summary, desk entries; linked to `customerId`. */
async function aConversation(stores: Stores, id: string, customerId: string | undefined, text: string): Promise<void> {
  await stores.conversations.create(record(id));
  await stores.turns.run(turnKey(id), async (snapshot) => ({
    result: undefined,
    commit: { ...incrementCommit(snapshot, [{ text }]), summary, ...(customerId ? { customers: [customerId] } : {}) },
  }));
  await stores.desk.putOpen(id, { reason: 'dispute', summary: text });
  await stores.desk.setThread(id, { channel: 'C1', ts: `${id}.1` });
}

/** PrivacyStore: the customer index turns write, a conversation's data, its erasure, a case's anonymisation. */
export function privacyContract(current: CurrentHarness): void {
  const stores = () => current().stores;

  it('links a conversation to the customers its turns name, and to no one else', async () => {
    await aConversation(stores(), 'conv-a', 'c-17', 'hello');
    await aConversation(stores(), 'conv-b', 'c-18', 'other');
    await aConversation(stores(), 'conv-c', undefined, 'anonymous');
    await current().elapse(5);
    await stores().turns.run(turnKey('conv-b'), async (snapshot) => ({ result: undefined, commit: { ...incrementCommit(snapshot, []), customers: ['c-17', 'c-17'] } }));
    expect(await stores().privacy.conversationsOf('c-17')).toEqual(['conv-a', 'conv-b']);
    expect(await stores().privacy.conversationsOf('c-18')).toEqual(['conv-b']);
    expect(await stores().privacy.conversationsOf('c-unknown')).toEqual([]);
    await expect(
      stores().turns.run(turnKey('conv-c'), async (snapshot) => ({ result: undefined, commit: { ...incrementCommit(snapshot, [{ text: 'x' }]), customers: [''] } })),
    ).rejects.toMatchObject({ code: 'invalid_turn_commit' });
    expect(await stores().transcripts.list('conv-c', 0)).toHaveLength(1);
  });

  it('reads everything a conversation left, and erases it all but its summary; again erases nothing', async () => {
    await aConversation(stores(), 'conv-a', 'c-17', 'my phone is 13800001234');
    await aConversation(stores(), 'conv-b', 'c-18', 'someone else');
    const own = await stores().evidence.put(JPEG, { name: 'receipt.jpg', conversationId: 'conv-a' });
    const shared = await stores().evidence.put(PNG, { name: 'mine.png', conversationId: 'conv-a' });
    await stores().evidence.put(PNG, { name: 'theirs.png', conversationId: 'conv-b' });

    const held = await stores().privacy.conversation('conv-a');
    expect(held.record).toEqual(record('conv-a'));
    expect(held.state).toMatchObject({ count: 1 });
    expect(held.transcript).toEqual([{ seq: 1, activity: { text: 'my phone is 13800001234' } }]);
    expect(held.evidence.map((upload) => [upload.id, upload.name]).sort()).toEqual([[own.id, 'receipt.jpg'], [shared.id, 'mine.png']].sort());
    expect(held.summaries).toMatchObject([{ conversationId: 'conv-a', customerTurns: 1 }]);
    expect(held.desk).toEqual({ open: { reason: 'dispute', summary: 'my phone is 13800001234' }, thread: { channel: 'C1', ts: 'conv-a.1' } });

    expect(await stores().privacy.eraseConversation('conv-a')).toEqual({ record: 1, state: 1, transcriptEntries: 1, evidenceFiles: 1, deskEntries: 2 });
    const after = await stores().privacy.conversation('conv-a');
    expect(after).toMatchObject({ record: undefined, state: undefined, transcript: [], evidence: [], desk: {} });
    expect(after.summaries).toHaveLength(1);
    expect(await stores().conversations.get('conv-a')).toBeUndefined();
    expect(await stores().evidence.get(own.id)).toBeUndefined();
    // The same bytes uploaded in another conversation stay, under that upload's name.
    expect((await stores().evidence.get(shared.id))?.ref.name).toBe('theirs.png');
    expect(await stores().desk.getOpen('conv-a')).toBeUndefined();
    expect(await stores().desk.conversationOfThread({ channel: 'C1', ts: 'conv-a.1' })).toBeUndefined();
    expect(await stores().privacy.conversationsOf('c-17')).toEqual([]);
    // The other customer's conversation is untouched.
    expect((await stores().privacy.conversation('conv-b')).transcript).toHaveLength(1);
    expect(await stores().desk.getOpen('conv-b')).toBeDefined();
    expect(await stores().privacy.conversationsOf('c-18')).toEqual(['conv-b']);

    expect(await stores().privacy.eraseConversation('conv-a')).toEqual({ record: 0, state: 0, transcriptEntries: 0, evidenceFiles: 0, deskEntries: 0 });
  });

  it('rewrites a case and its trail into their anonymised versions and appends the erasure, once', async () => {
    await stores().cases.create(aCase(), anEvent('RF-TEST22', { data: { note: 'call me on 13800001234' } }));
    await stores().cases.appendAudit(anEvent('RF-TEST22', { type: 'note', actor: { kind: 'agent', id: 'U1' }, data: { csat: 4 } }));
    const audit = await stores().cases.audit('RF-TEST22');
    const anonymised: AuditEvent[] = audit.map((event) => ({ ...event, data: { ...event.data, note: '[erased]', erased: true } }));
    const erased = anEvent('RF-TEST22', { type: 'customer_data_erased', actor: { kind: 'system', id: 'privacy-erase' }, data: { erased: true } });
    await stores().privacy.anonymiseCase(aCase({ reasonText: '[erased]' }), anonymised, erased);

    expect(await stores().cases.get('RF-TEST22')).toEqual(aCase({ reasonText: '[erased]' }));
    const trail = await stores().cases.audit('RF-TEST22');
    expect(trail).toEqual([...anonymised, { ...erased, seq: 3 }]);
    // Still listed by period, at the same place.
    expect(await stores().cases.listAudit(T0, new Date(T0.getTime() + 1), { limit: 10 })).toMatchObject([{ seq: 2, data: { csat: 4, erased: true } }]);

    // A trail that grew since it was read is not overwritten; an unknown case is an error.
    await expect(stores().privacy.anonymiseCase(aCase({ reasonText: '[erased]' }), anonymised, erased)).rejects.toMatchObject({ code: 'audit_changed' });
    await expect(stores().privacy.anonymiseCase(aCase({ id: 'RF-NONE' }), [], { ...erased, caseId: 'RF-NONE' })).rejects.toMatchObject({ code: 'case_not_found' });
  });
}

/** Retention: each test opens its own backend with a short TTL. */
export function retentionContract(makeStores: MakeStores): void {
  // Redis's TTLs run in real time: a 2 s TTL leaves the live conversation 800 ms of margin for
  // the reopen under a loaded machine (1 s flaked).
  it('forgets an expired conversation with its transcript, proof files, desk entries and customer links', async () => {
    const harness = await makeStores({ conversationTtlMs: 2_000 });
    try {
      const stores = harness.stores;
      await aConversation(stores, 'old', 'c-17', 'bye');
      const proof = await stores.evidence.put(JPEG, { name: 'receipt.jpg', conversationId: 'old' });
      await stores.cases.create(aCase({ conversationId: 'old', evidence: [proof] }), anEvent('RF-TEST22'));
      await harness.elapse(1_200);
      await aConversation(stores, 'live', 'c-18', 'still here');
      const kept = await stores.evidence.put(PNG, { name: 'label.png', conversationId: 'live' });
      await harness.elapse(1_200);

      const after = await harness.reopen();
      expect(await after.transcripts.list('old', 0)).toEqual([]);
      expect(await after.evidence.get(proof.id)).toBeUndefined();
      expect(await after.privacy.conversationsOf('c-17')).toEqual([]);
      const deadline = performance.now() + 3_000;
      // Redis prunes desk entries on a timer (hash fields cannot expire); sqlite swept at open.
      while ((await after.desk.getOpen('old')) !== undefined && performance.now() < deadline) await sleep(100);
      expect(await after.desk.getOpen('old')).toBeUndefined();
      expect(await after.desk.thread('old')).toBeUndefined();
      // The live conversation keeps everything; the case stays, with its proof's metadata.
      expect(await after.transcripts.list('live', 0)).toHaveLength(1);
      expect((await after.evidence.get(kept.id))?.ref.name).toBe('label.png');
      expect(await after.privacy.conversationsOf('c-18')).toEqual(['live']);
      expect(await after.desk.getOpen('live')).toBeDefined();
      expect((await after.cases.get('RF-TEST22'))?.evidence).toEqual([proof]);
    } finally {
      await harness.cleanup();
    }
  });
}
