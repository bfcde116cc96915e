import { afterEach, beforeEach, describe } from 'vitest';
import { auditContract } from './contract/audit.ts';
import { caseContract } from './contract/cases.ts';
import { conversationContract } from './contract/conversations.ts';
import { deskContract } from './contract/desk.ts';
import { eventsContract } from './contract/events.ts';
import { evidenceContract } from './contract/evidence.ts';
import { expiryContract } from './contract/expiry.ts';
import type { MakeStores, StoreHarness } from './contract/harness.ts';
import { limitsContract, sharedValuesContract } from './contract/limits.ts';
import { periodContract } from './contract/periods.ts';
import { privacyContract, retentionContract } from './contract/privacy.ts';
import { refundOutboxContract } from './contract/refundOutbox.ts';
import { restartContract } from './contract/restart.ts';
import { stateContract } from './contract/state.ts';
import { turnContract } from './contract/turns.ts';

export type { HarnessOptions, MakeStores, StoreHarness } from './contract/harness.ts';

/**
 * The behaviour every `Stores` backend must have (ports.ts), as one suite: the embedded sqlite
 * backend and the Redis backend each run it with a fresh, empty backend per test.
 */
export function describeStoreContract(name: string, makeStores: MakeStores): void {
  describe(`${name} store contract`, () => {
    let harness: StoreHarness | undefined;
    beforeEach(async () => {
      harness = await makeStores();
    });
    afterEach(async () => {
      await harness?.cleanup();
      harness = undefined;
    });
    const current = (): StoreHarness => {
      if (!harness) throw new Error('No store harness: makeStores() failed');
      return harness;
    };

    describe('StateStorage', () => stateContract(current));
    describe('ConversationStore and TranscriptStore', () => conversationContract(current));
    describe('CaseStore: cases and transitions', () => caseContract(current));
    describe('CaseStore: audit trail and escalations', () => auditContract(current));
    describe('EvidenceStore', () => evidenceContract(current));
    describe('TurnStore', () => turnContract(current));
    describe('ConversationEvents', () => eventsContract(current));
    describe('IdempotencyStore and RateLimitStore', () => limitsContract(current));
    describe('SharedValueStore', () => sharedValuesContract(current));
    describe('DeskStore', () => deskContract(current));
    describe('reads by period and conversation summaries', () => periodContract(current, makeStores));
    describe('RefundOutbox', () => refundOutboxContract(current, makeStores));
    describe('conversation expiry', () => expiryContract(makeStores));
    describe('PrivacyStore', () => privacyContract(current));
    describe('retention of a conversation\'s personal data', () => retentionContract(makeStores));
    describe('restart', () => restartContract(current));
  });
}
