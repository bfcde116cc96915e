import { expect, it } from 'vitest';
import type { AuditEvent, Escalation, RefundCase } from '../../../src/domain/case.ts';
import { applyTurn, type ConversationSummary, type TurnSummary } from '../../../src/domain/conversationSummary.ts';
import type { AuditCursor, Stores } from '../../../src/stores/ports.ts';
import { aCase, anEvent, at, type CurrentHarness, type MakeStores, T0 } from './harness.ts';
import { incrementCommit, turnKey } from './turnKit.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Reads every page of a listing (page size `limit`), checking no page is longer than asked. */
async function everyPage<T>(read: (after: T | undefined) => Promise<T[]>, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let after: T | undefined;
  for (let pages = 1; ; pages++) {
    const page = await read(after);
    expect(page.length).toBeLessThanOrEqual(limit);
    items.push(...page);
    if (page.length < limit) return { items, pages };
    after = page.at(-1);
  }
}

const cursorOf = (event: AuditEvent): AuditCursor => ({ at: event.at, caseId: event.caseId, seq: event.seq ?? 0 });

/** A turn's summary at `minutes` after T0 of a conversation started at T0 (unless said). */
function turnAt(minutes: number, overrides: Partial<TurnSummary> = {}): TurnSummary {
  return { channel: 'api', locale: 'en', startedAt: T0, at: at(minutes), customerTurns: 1, handedToPeople: false, hasCase: false, ...overrides };
}

/** CaseStore and ConversationSummaryStore: the reads by period behind the merchant's figures. */
export function periodContract(current: CurrentHarness, makeStores: MakeStores): void {
  const stores = () => current().stores;
  const cases = () => stores().cases;

  /** Cases created at these minutes after T0, with ids in the order given. */
  async function seedCases(specs: { id: string; minutes: number; overrides?: Partial<RefundCase> }[]): Promise<void> {
    for (const { id, minutes, overrides } of specs) {
      const created = at(minutes);
      await cases().create(aCase({ id, createdAt: created, updatedAt: created, ...overrides }), anEvent(id, { at: created }));
    }
  }

  it('lists the cases created in [from, to) by (createdAt, id), a page at a time', async () => {
    // Inserted out of order; RF-B and RF-A share a millisecond (the id breaks the tie).
    await seedCases([
      { id: 'RF-LATE', minutes: 60 },
      { id: 'RF-B', minutes: 10 },
      { id: 'RF-BEFORE', minutes: -1 },
      { id: 'RF-A', minutes: 10 },
      { id: 'RF-C', minutes: 20 },
      { id: 'RF-END', minutes: 30 },
    ]);
    const from = at(0);
    const to = at(30);
    const all = await cases().listCreated(from, to, { limit: 10 });
    expect(all.map((refundCase) => refundCase.id)).toEqual(['RF-A', 'RF-B', 'RF-C']);
    expect(all[0]).toEqual(aCase({ id: 'RF-A', createdAt: at(10), updatedAt: at(10) }));

    const paged = await everyPage<RefundCase>((after) => cases().listCreated(from, to, { ...(after ? { afterId: after.id } : {}), limit: 2 }), 2);
    expect(paged.items.map((refundCase) => refundCase.id)).toEqual(['RF-A', 'RF-B', 'RF-C']);
    expect(paged.pages).toBe(2);
    // Exactly a page's worth: the next page is empty.
    const one = await everyPage<RefundCase>((after) => cases().listCreated(from, to, { ...(after ? { afterId: after.id } : {}), limit: 3 }), 3);
    expect(one).toEqual({ items: all, pages: 2 });

    expect(await cases().listCreated(at(60), at(61), { limit: 5 })).toHaveLength(1);
    expect(await cases().listCreated(at(61), at(61), { limit: 5 })).toEqual([]);
    // A cursor must come from a previous page.
    expect(await cases().listCreated(from, to, { afterId: 'RF-NONE', limit: 5 })).toEqual([]);
  });

  it('reads a page of cases with their whole trails, and any cases by id with theirs', async () => {
    await seedCases([
      { id: 'RF-A', minutes: 1 },
      { id: 'RF-B', minutes: 2 },
    ]);
    await cases().appendAudit(anEvent('RF-B', { type: 'note', at: at(3), data: { csat: 4 } }));
    await cases().transition('RF-B', 'pending_review', 'approved', anEvent('RF-B', { type: 'status_changed', at: at(4), data: { from: 'pending_review', to: 'approved' } }), at(4));

    const page = await cases().listCreatedWithAudit(at(0), at(10), { limit: 10 });
    expect(page.map((entry) => entry.refundCase.id)).toEqual(['RF-A', 'RF-B']);
    expect(page[0]?.audit.map((event) => [event.seq, event.type])).toEqual([[1, 'created']]);
    expect(page[1]?.refundCase.status).toBe('approved');
    expect(page[1]?.audit.map((event) => [event.seq, event.type])).toEqual([
      [1, 'created'],
      [2, 'note'],
      [3, 'status_changed'],
    ]);
    expect(page[1]?.audit[1]).toMatchObject({ at: at(3), data: { csat: 4 } });
    expect(await cases().listCreatedWithAudit(at(0), at(10), { afterId: 'RF-A', limit: 10 })).toEqual([page[1]]);

    expect(await cases().withAudit(['RF-B', 'RF-NONE', 'RF-A'])).toEqual([page[1], page[0]]);
    expect(await cases().withAudit([])).toEqual([]);
  });

  it('lists status changes, escalations and notes of [from, to) by (at, caseId, seq); not the opening events', async () => {
    await seedCases([
      { id: 'RF-A', minutes: 0 },
      { id: 'RF-B', minutes: 0 },
    ]);
    await cases().appendAudit(anEvent('RF-A', { type: 'decided', at: at(0), data: { status: 'pending_review' } }));
    await cases().appendAudit(anEvent('RF-B', { type: 'note', at: at(5), data: { csat: 5 } }));
    await cases().appendAudit(anEvent('RF-A', { type: 'note', at: at(5), actor: { kind: 'agent', id: 'U1' }, data: { tookOver: 'Wang' } }));
    await cases().transition('RF-A', 'pending_review', 'escalated', anEvent('RF-A', { type: 'escalated', at: at(2), data: { reason: 'dispute' } }), at(2));
    await cases().appendAudit(anEvent('RF-A', { type: 'refund_sent', at: at(6), data: {} }));
    await cases().appendAudit(anEvent('RF-A', { type: 'evidence_added', at: at(6), data: {} }));
    await cases().transition('RF-A', 'escalated', 'denied', anEvent('RF-A', { type: 'status_changed', at: at(9), actor: { kind: 'agent', id: 'U1' }, data: { to: 'denied' } }), at(9));
    await cases().appendAudit(anEvent('RF-B', { type: 'note', at: at(20), data: { csat: 1 } }));

    const listed = await cases().listAudit(at(0), at(20), { limit: 10 });
    expect(listed.map((event) => [event.caseId, event.seq, event.type, event.at])).toEqual([
      ['RF-A', 4, 'escalated', at(2)],
      ['RF-A', 3, 'note', at(5)],
      ['RF-B', 2, 'note', at(5)],
      ['RF-A', 7, 'status_changed', at(9)],
    ]);
    expect(listed[0]).toEqual({ caseId: 'RF-A', seq: 4, at: at(2), actor: { kind: 'assistant' }, type: 'escalated', data: { reason: 'dispute' } });
    expect(listed[3]?.actor).toEqual({ kind: 'agent', id: 'U1' });

    const paged = await everyPage<AuditEvent>((after) => cases().listAudit(at(0), at(20), { ...(after ? { after: cursorOf(after) } : {}), limit: 1 }), 1);
    expect(paged.items).toEqual(listed);
    expect((await cases().listAudit(at(0), at(21), { limit: 10 })).at(-1)).toMatchObject({ caseId: 'RF-B', data: { csat: 1 } });
    expect(await cases().listAudit(at(10), at(20), { limit: 10 })).toEqual([]);
  });

  it('lists the escalations of [from, to) by (at, id), with their channel', async () => {
    const escalation = (id: string, minutes: number, extra: Partial<Escalation> = {}): Escalation => ({
      id,
      conversationId: `conv-${id}`,
      reason: 'customer_request',
      locale: 'en',
      at: at(minutes),
      ...extra,
    });
    const kept = [escalation('esc-b', 1, { channel: 'wechat', caseId: 'RF-TEST22', orderId: '100234', reason: 'dispute' }), escalation('esc-a', 1, { channel: 'api' }), escalation('esc-c', 3)];
    for (const one of [escalation('esc-early', -1), kept[2]!, kept[0]!, escalation('esc-late', 10), kept[1]!]) await cases().addEscalation(one);

    const listed = await cases().listEscalations(at(0), at(10), { limit: 10 });
    expect(listed).toEqual([kept[1], kept[0], kept[2]]);
    const paged = await everyPage<Escalation>((after) => cases().listEscalations(at(0), at(10), { ...(after ? { afterId: after.id } : {}), limit: 2 }), 2);
    expect(paged.items).toEqual(listed);
    expect(await cases().listEscalations(at(0), at(10), { afterId: 'esc-none', limit: 2 })).toEqual([]);
    // The channel is kept on the per-conversation read too.
    expect(await cases().escalations('conv-esc-b')).toEqual([kept[0]]);
  });

  it('refuses a page size outside 1…1000 and a period that ends before it starts', async () => {
    await expect(cases().listCreated(at(0), at(1), { limit: 0 })).rejects.toMatchObject({ code: 'invalid_page' });
    await expect(cases().listAudit(at(0), at(1), { limit: 1001 })).rejects.toMatchObject({ code: 'invalid_page' });
    await expect(stores().summaries.listStarted(at(1), at(0), { limit: 10 })).rejects.toMatchObject({ code: 'invalid_page' });
  });

  it("merges each turn's summary into its conversation's, inside the turn's commit", async () => {
    const key = turnKey('conv-1');
    const turns: TurnSummary[] = [
      turnAt(0, { customerTurns: 0, awaiting: null }),
      turnAt(1, { awaiting: 'orderId', locale: 'zh-CN' }),
      // An event turn without a reply keeps what the assistant last asked.
      turnAt(2, { customerTurns: 0, handedToPeople: true }),
      turnAt(3, { customerTurns: 2, awaiting: 'confirm', hasCase: true }),
      // A late turn (another instance's clock) does not move lastActiveAt back; flags stay set.
      turnAt(2.5, { awaiting: null }),
    ];
    let expected: ConversationSummary | undefined;
    for (const summary of turns) {
      await stores().turns.run(key, async (snapshot) => ({ result: undefined, commit: { ...incrementCommit(snapshot, [{ text: 'hi' }]), summary } }));
      expected = applyTurn(expected, 'conv-1', summary);
    }
    expect(expected).toEqual({
      conversationId: 'conv-1',
      channel: 'api',
      locale: 'en',
      startedAt: T0,
      lastActiveAt: at(3),
      customerTurns: 4,
      awaiting: null,
      handedToPeople: true,
      hasCase: true,
    });
    expect(await stores().summaries.listStarted(at(0), at(1), { limit: 10 })).toEqual([expected]);
    // A turn that throws, and one that loses its eTag check, write no summary.
    await expect(
      stores().turns.run(key, async () => {
        throw new Error('the dialog broke');
      }),
    ).rejects.toThrow('the dialog broke');
    await expect(
      stores().turns.run(key, async () => ({ result: undefined, commit: { state: { item: { count: 0 }, expectedETag: 'stale' }, transcript: [], summary: turnAt(9, { customerTurns: 5 }) } })),
    ).rejects.toMatchObject({ code: 'etag_conflict' });
    // A malformed summary fails the commit before anything is written.
    await expect(
      stores().turns.run(key, async () => ({ result: undefined, commit: { transcript: [{ text: 'lost' }], summary: turnAt(9, { customerTurns: -1 }) } })),
    ).rejects.toMatchObject({ code: 'invalid_turn_summary' });
    expect(await stores().summaries.listStarted(at(0), at(1), { limit: 10 })).toEqual([expected]);
    expect((await stores().transcripts.list('conv-1', 0)).map((entry) => entry.activity.text)).not.toContain('lost');
  });

  it('records summaries outside turns with the same merge, one per conversation start, listed by (startedAt, id)', async () => {
    const summaries = () => stores().summaries;
    await summaries().record('conv-b', turnAt(0, { awaiting: 'reason' }));
    await summaries().record('conv-b', turnAt(1));
    await summaries().record('conv-a', turnAt(2, { channel: 'wechat', awaiting: 'evidence' }));
    // The same id started again later (a channel conversation that had expired) is a new summary.
    await summaries().record('conv-a', turnAt(90, { channel: 'wechat', startedAt: at(60), awaiting: null }));
    await summaries().record('conv-c', turnAt(31, { startedAt: at(30) }));
    await summaries().record('conv-before', turnAt(0, { startedAt: at(-1) }));

    const listed = await summaries().listStarted(at(0), at(61), { limit: 10 });
    expect(listed.map((summary) => [summary.conversationId, summary.startedAt])).toEqual([
      ['conv-a', T0],
      ['conv-b', T0],
      ['conv-c', at(30)],
      ['conv-a', at(60)],
    ]);
    expect(listed[1]).toEqual(applyTurn(applyTurn(undefined, 'conv-b', turnAt(0, { awaiting: 'reason' })), 'conv-b', turnAt(1)));
    expect(listed[1]).toMatchObject({ customerTurns: 2, awaiting: 'reason', lastActiveAt: at(1) });
    expect(listed[0]).toMatchObject({ channel: 'wechat', awaiting: 'evidence' });
    expect(listed[3]).toMatchObject({ channel: 'wechat', awaiting: null, lastActiveAt: at(90) });

    const paged = await everyPage<ConversationSummary>(
      (after) => summaries().listStarted(at(0), at(61), { ...(after ? { after: { startedAt: after.startedAt, conversationId: after.conversationId } } : {}), limit: 3 }),
      3,
    );
    expect(paged).toEqual({ items: listed, pages: 2 });
    expect(await summaries().listStarted(at(0), at(30), { limit: 10 })).toHaveLength(2);
  });

  it("keeps a conversation's summary after the conversation expired", async () => {
    const harness = await makeStores({ conversationTtlMs: 1_000 });
    try {
      const key = turnKey('short-lived');
      await harness.stores.conversations.create({ id: 'short-lived', tokenHash: 'a'.repeat(64), channel: 'api', locale: 'en', createdAt: T0 });
      await harness.stores.turns.run(key, async (snapshot) => ({ result: undefined, commit: { ...incrementCommit(snapshot, [{ text: 'hi' }]), summary: turnAt(0, { awaiting: 'orderId' }) } }));
      await harness.elapse(1_300);
      const after: Stores = await harness.reopen();
      expect(await after.conversations.get('short-lived')).toBeUndefined();
      expect(await after.summaries.listStarted(at(0), at(1), { limit: 10 })).toMatchObject([{ conversationId: 'short-lived', awaiting: 'orderId', customerTurns: 1 }]);
    } finally {
      await harness.cleanup();
    }
  });

  it('drops summaries of conversations started more than the retention (400 days) ago', async () => {
    const longAgo = new Date(T0.getTime() - 401 * DAY_MS);
    await stores().summaries.record('conv-old', turnAt(0, { startedAt: longAgo, at: longAgo }));
    await stores().summaries.record('conv-recent', turnAt(0, { startedAt: new Date(T0.getTime() - 399 * DAY_MS), at: new Date(T0.getTime() - 399 * DAY_MS) }));
    expect(await stores().summaries.listStarted(new Date(0), at(1), { limit: 10 })).toHaveLength(2);
    // Redis drops them as later turns commit, the embedded store when it sweeps (at open, then periodically).
    await stores().summaries.record('conv-now', turnAt(0));
    const after = await current().reopen();
    expect((await after.summaries.listStarted(new Date(0), at(1), { limit: 10 })).map((summary) => summary.conversationId)).toEqual(['conv-recent', 'conv-now']);
  });
}
