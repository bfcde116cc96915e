import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEvent, Escalation, RefundCase } from '../domain/case.ts';
import type { Clock } from '../domain/clock.ts';
import { EVIDENCE_EXTENSIONS } from '../evidence/contentType.ts';
import { CodedError, ConflictError } from '../errors.ts';
import type { ConversationRecord, HeldConversation, Stores } from '../stores/ports.ts';
import { anonymisedCase, anonymisedEvent, needsAnonymising } from './anonymise.ts';

/** Everything held about one customer, as `refundbot privacy export` prints it. */
export interface CustomerExport {
  customer: { id: string };
  exportedAt: string;
  cases: { case: RefundCase; audit: AuditEvent[] }[];
  conversations: (Omit<HeldConversation, 'record'> & { record: Omit<ConversationRecord, 'tokenHash'> | undefined; escalations: Escalation[] })[];
}

/** What `erase` did. */
export interface ErasureReport {
  customerId: string;
  conversations: number;
  records: number;
  states: number;
  transcriptEntries: number;
  evidenceFiles: number;
  deskEntries: number;
  /** Cases anonymised now. */
  casesAnonymised: number;
  /** Cases kept (anonymised now or before), for accounting and the merchant's figures. */
  casesKept: number;
}

/** The actor of the erasure event: the operator who ran the command, as a role. */
const ERASER = { kind: 'system', id: 'privacy-erase' } as const;
/** Times an anonymisation is retried when the trail grows meanwhile. */
const ATTEMPTS = 3;

/**
 * A customer's data on request (issue 10 §5): `export` gathers everything the stores hold about
 * them, `erase` deletes their conversations' personal data and anonymises their cases in place.
 * A customer's cases are found by customer id; their conversations through the privacy index
 * (conversations where they proved who they are) and their cases' conversations.
 */
export class CustomerPrivacy {
  readonly #stores: Pick<Stores, 'cases' | 'privacy' | 'evidence'>;
  readonly #clock: Clock;

  constructor(options: { stores: Pick<Stores, 'cases' | 'privacy' | 'evidence'>; clock: Clock }) {
    if (!options?.stores || !options.clock) throw new CodedError('bug', 'missing_dependency', 'CustomerPrivacy needs stores and a clock', 500);
    this.#stores = options.stores;
    this.#clock = options.clock;
  }

  /** The customer's cases (every one, oldest first) and the ids of their conversations still linked. */
  async find(customerId: string): Promise<{ cases: RefundCase[]; conversationIds: string[] }> {
    const cases = (await this.#stores.cases.byCustomer(customerId, new Date(0))).reverse();
    const linked = await this.#stores.privacy.conversationsOf(customerId);
    return { cases, conversationIds: [...new Set([...linked, ...cases.map((refundCase) => refundCase.conversationId)])] };
  }

  async export(customerId: string): Promise<CustomerExport> {
    const { cases, conversationIds } = await this.find(customerId);
    const conversations: CustomerExport['conversations'] = [];
    for (const conversationId of conversationIds) {
      const held = await this.#stores.privacy.conversation(conversationId);
      const escalations = await this.#stores.cases.escalations(conversationId);
      const { tokenHash: _secret, ...record } = held.record ?? { tokenHash: '' };
      conversations.push({ ...held, record: held.record ? (record as Omit<ConversationRecord, 'tokenHash'>) : undefined, escalations });
    }
    const withAudit = [];
    for (const refundCase of cases) withAudit.push({ case: refundCase, audit: await this.#stores.cases.audit(refundCase.id) });
    return { customer: { id: customerId }, exportedAt: this.#clock.now().toISOString(), cases: withAudit, conversations };
  }

  /** Writes the proof files of an export into `dir` as `<id>.<ext>`; returns the paths written. */
  async writeEvidence(data: CustomerExport, dir: string): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const ids = new Set([...data.conversations.flatMap((conversation) => conversation.evidence.map((ref) => ref.id)), ...data.cases.flatMap((entry) => entry.case.evidence.map((ref) => ref.id))]);
    const written: string[] = [];
    for (const id of ids) {
      const file = await this.#stores.evidence.get(id);
      if (!file) continue;
      const path = join(dir, `${id}.${EVIDENCE_EXTENSIONS[file.ref.contentType][0] ?? 'bin'}`);
      await writeFile(path, file.bytes);
      written.push(path);
    }
    return written;
  }

  /**
   * Deletes the customer's conversations (record, state, transcript, proof files, desk entries,
   * links) and anonymises their cases (`anonymise.ts`), each with a `customer_data_erased` audit
   * event. Idempotent: run again, it finds nothing left and reports zeros.
   */
  async erase(customerId: string): Promise<ErasureReport> {
    const { cases, conversationIds } = await this.find(customerId);
    const report: ErasureReport = { customerId, conversations: 0, records: 0, states: 0, transcriptEntries: 0, evidenceFiles: 0, deskEntries: 0, casesAnonymised: 0, casesKept: cases.length };
    for (const conversationId of conversationIds) {
      const erased = await this.#stores.privacy.eraseConversation(conversationId);
      const any = erased.record + erased.state + erased.transcriptEntries + erased.evidenceFiles + erased.deskEntries > 0;
      if (any) report.conversations += 1;
      report.records += erased.record;
      report.states += erased.state;
      report.transcriptEntries += erased.transcriptEntries;
      report.evidenceFiles += erased.evidenceFiles;
      report.deskEntries += erased.deskEntries;
    }
    for (const refundCase of cases) {
      if (await this.#anonymise(refundCase.id, conversationIds.length)) report.casesAnonymised += 1;
    }
    return report;
  }

  /** Anonymises one case unless it already is; true when it did. */
  async #anonymise(caseId: string, conversations: number): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      const refundCase = await this.#stores.cases.get(caseId);
      if (!refundCase) return false;
      const audit = await this.#stores.cases.audit(caseId);
      if (!needsAnonymising(refundCase, audit)) return false;
      const event: AuditEvent = { caseId, at: this.#clock.now(), actor: ERASER, type: 'customer_data_erased', data: { erased: true, conversations } };
      try {
        await this.#stores.privacy.anonymiseCase(anonymisedCase(refundCase), audit.map(anonymisedEvent), event);
        return true;
      } catch (error) {
        // Something was appended to the trail meanwhile (a refund delivery): read it again.
        if (!(error instanceof ConflictError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
