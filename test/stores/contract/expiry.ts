import { expect, it } from 'vitest';
import type { ConversationRecord } from '../../../src/stores/ports.ts';
import { aCase, anEvent, T0, type MakeStores } from './harness.ts';
import { incrementCommit, turnKey } from './turnKit.ts';

// Long enough for Redis's real-time TTLs to be checked with a wide margin either side.
const TTL_MS = 1_000;
const STEP_MS = 600;

const record = (id: string): ConversationRecord => ({ id, tokenHash: 'a'.repeat(64), channel: 'webchat', locale: 'en', createdAt: T0 });

/** Conversation expiry: each test opens its own backend with a short TTL. */
export function expiryContract(makeStores: MakeStores): void {
  it('forgets a conversation idle for the TTL, with its state and transcript, and keeps its cases', async () => {
    const harness = await makeStores({ conversationTtlMs: TTL_MS });
    try {
      const stores = harness.stores;
      for (const id of ['committed', 'appended', 'idle']) await stores.conversations.create(record(id));
      await stores.cases.create(aCase({ conversationId: 'committed' }), anEvent('RF-TEST22'));
      await stores.cases.addEscalation({ id: 'esc-1', conversationId: 'committed', reason: 'dispute', locale: 'en', at: T0 });

      await harness.elapse(STEP_MS);
      // A turn commit and a transcript append both count as activity.
      await stores.turns.run(turnKey('committed'), async (snapshot) => ({
        result: undefined,
        commit: incrementCommit(snapshot, [{ text: 'still here' }]),
      }));
      await stores.transcripts.append('appended', [{ text: 'me too' }]);

      await harness.elapse(STEP_MS);
      expect(await stores.conversations.get('idle')).toBeUndefined();
      expect(await stores.conversations.get('committed')).toEqual(record('committed'));
      expect(await stores.conversations.get('appended')).toEqual(record('appended'));

      await harness.elapse(STEP_MS);
      expect(await stores.conversations.get('committed')).toBeUndefined();
      expect(await stores.conversations.get('appended')).toBeUndefined();

      // Gone for good, not just hidden (the embedded store deletes them when it sweeps, at open).
      const after = await harness.reopen();
      expect(await after.conversations.get('committed')).toBeUndefined();
      expect(await after.transcripts.list('committed', 0)).toEqual([]);
      expect(await after.transcripts.list('appended', 0)).toEqual([]);
      expect(await after.state.read([turnKey('committed').stateKey])).toEqual({});
      // Cases, their audit trail and escalations never expire.
      expect(await after.cases.get('RF-TEST22')).toEqual(aCase({ conversationId: 'committed' }));
      expect(await after.cases.audit('RF-TEST22')).toHaveLength(1);
      expect(await after.cases.byConversation('committed')).toHaveLength(1);
      expect(await after.cases.escalations('committed')).toHaveLength(1);
      // A conversation id can start afresh.
      await after.conversations.create(record('idle'));
      expect(await after.conversations.get('idle')).toEqual(record('idle'));
    } finally {
      await harness.cleanup();
    }
  });
}
