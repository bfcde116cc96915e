import { expect, it } from 'vitest';
import { ConflictError, InputError } from '../../../src/errors.ts';
import { aCase, anEvent, at, T0, type CurrentHarness } from './harness.ts';

/** CaseStore: cases, queries and status transitions. */
export function caseContract(current: CurrentHarness): void {
  const cases = () => current().stores.cases;

  it('creates a case with its first audit event and gets it back as it was', async () => {
    const refundCase = aCase();
    await cases().create(refundCase, anEvent(refundCase.id));
    expect(await cases().get(refundCase.id)).toEqual(refundCase);
    expect((await cases().get(refundCase.id))?.createdAt).toBeInstanceOf(Date);
    expect(await cases().audit(refundCase.id)).toEqual([{ ...anEvent(refundCase.id), seq: 1 }]);
    expect(await cases().get('RF-NONE22')).toBeUndefined();
  });

  it('refuses an existing id and keeps the first case and trail', async () => {
    await cases().create(aCase(), anEvent('RF-TEST22'));
    const error = await cases()
      .create(aCase({ orderId: 'other' }), anEvent('RF-TEST22', { type: 'note' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'case_exists' });
    expect((await cases().get('RF-TEST22'))?.orderId).toBe('100234');
    expect(await cases().audit('RF-TEST22')).toHaveLength(1);
  });

  it('finds the cases of an order and of a conversation, newest first', async () => {
    await cases().create(aCase({ id: 'RF-AAAA22', createdAt: at(0) }), anEvent('RF-AAAA22'));
    await cases().create(aCase({ id: 'RF-BBBB22', createdAt: at(5), conversationId: 'conv-2' }), anEvent('RF-BBBB22'));
    await cases().create(aCase({ id: 'RF-CCCC22', orderId: '999', conversationId: 'conv-2' }), anEvent('RF-CCCC22'));
    expect((await cases().byOrder('100234')).map((c) => c.id)).toEqual(['RF-BBBB22', 'RF-AAAA22']);
    expect((await cases().byConversation('conv-2')).map((c) => c.id)).toEqual(['RF-BBBB22', 'RF-CCCC22']);
    expect(await cases().byOrder('nothing')).toEqual([]);
  });

  it("finds a customer's cases created since a date, newest first", async () => {
    const created = [
      { id: 'RF-OLD222', createdAt: at(-91 * 24 * 60) },
      { id: 'RF-EDGE22', createdAt: at(-90 * 24 * 60) },
      { id: 'RF-NEW222', createdAt: at(0) },
      { id: 'RF-MID222', createdAt: at(-24 * 60) },
    ];
    for (const { id, createdAt } of created) {
      await cases().create(aCase({ id, createdAt, updatedAt: createdAt }), anEvent(id));
    }
    await cases().create(aCase({ id: 'RF-OTHER2', customerId: 'c-99' }), anEvent('RF-OTHER2'));
    const since = at(-90 * 24 * 60);
    expect((await cases().byCustomer('c-17', since)).map((c) => c.id)).toEqual(['RF-NEW222', 'RF-MID222', 'RF-EDGE22']);
  });

  it('moves a case to an allowed status and records the event', async () => {
    await cases().create(aCase(), anEvent('RF-TEST22'));
    const event = anEvent('RF-TEST22', { type: 'status_changed', at: at(3), actor: { kind: 'agent', id: 'U123' } });
    const moved = await cases().transition('RF-TEST22', 'pending_review', 'approved', event, at(3));
    expect(moved).toEqual(aCase({ status: 'approved', updatedAt: at(3) }));
    expect(await cases().get('RF-TEST22')).toEqual(moved);
    expect((await cases().audit('RF-TEST22')).map((e) => [e.seq, e.type, e.actor])).toEqual([
      [1, 'created', { kind: 'assistant' }],
      [2, 'status_changed', { kind: 'agent', id: 'U123' }],
    ]);
  });

  it('replaces the decision in the same step when a new one is given', async () => {
    await cases().create(aCase(), anEvent('RF-TEST22'));
    const decision = { ...aCase().decision, outcome: 'partial' as const, amount: 12345, clauses: ['R-6.2'] };
    const event = anEvent('RF-TEST22', { type: 'status_changed', at: at(4), actor: { kind: 'agent', id: 'U9' } });
    const moved = await cases().transition('RF-TEST22', 'pending_review', 'approved', event, at(4), decision);
    expect(moved).toEqual(aCase({ status: 'approved', updatedAt: at(4), decision }));
    expect(await cases().get('RF-TEST22')).toEqual(moved);
    // Without one, the decision stays as it was.
    const later = anEvent('RF-TEST22', { type: 'status_changed', at: at(5) });
    expect((await cases().transition('RF-TEST22', 'approved', 'refunded', later, at(5))).decision).toEqual(decision);
  });

  it('rejects a transition from a status the case no longer has, changing nothing', async () => {
    await cases().create(aCase({ status: 'approved' }), anEvent('RF-TEST22'));
    const event = anEvent('RF-TEST22', { type: 'status_changed' });
    const error = await cases()
      .transition('RF-TEST22', 'pending_review', 'denied', event, at(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'case_status_changed', status: 409 });
    expect(await cases().get('RF-TEST22')).toEqual(aCase({ status: 'approved' }));
    expect(await cases().audit('RF-TEST22')).toHaveLength(1);
  });

  it('rejects a transition the lifecycle forbids, changing nothing', async () => {
    await cases().create(aCase({ status: 'refunded' }), anEvent('RF-TEST22'));
    const event = anEvent('RF-TEST22', { type: 'status_changed' });
    const error = await cases()
      .transition('RF-TEST22', 'refunded', 'approved', event, at(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'invalid_transition', status: 409 });
    expect((await cases().get('RF-TEST22'))?.status).toBe('refunded');
    expect(await cases().audit('RF-TEST22')).toHaveLength(1);
  });

  it('lets exactly one of two concurrent transitions from the same status win', async () => {
    await cases().create(aCase(), anEvent('RF-TEST22'));
    const event = anEvent('RF-TEST22', { type: 'status_changed' });
    const results = await Promise.allSettled([
      cases().transition('RF-TEST22', 'pending_review', 'approved', event, at(1)),
      cases().transition('RF-TEST22', 'pending_review', 'denied', event, at(1)),
    ]);
    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({
      reason: { code: 'case_status_changed' },
    });
    expect((await cases().get('RF-TEST22'))?.status).toBe(winners[0]?.value.status);
    expect(await cases().audit('RF-TEST22')).toHaveLength(2);
  });

  it('answers case_not_found (404) for a transition of an unknown case', async () => {
    const event = anEvent('RF-NONE22', { type: 'status_changed' });
    await expect(
      cases().transition('RF-NONE22', 'pending_review', 'approved', event, T0),
    ).rejects.toMatchObject({ code: 'case_not_found', status: 404 });
  });

  it('returns copies: changing a case that was read changes nothing stored', async () => {
    await cases().create(aCase(), anEvent('RF-TEST22'));
    const read = await cases().get('RF-TEST22');
    read?.items.push('VIP-Y');
    read?.decision.clauses.push('R-9');
    expect(await cases().get('RF-TEST22')).toEqual(aCase());
  });
}
