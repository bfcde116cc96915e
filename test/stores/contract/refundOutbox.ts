import { expect, it } from 'vitest';
import type { CaseStatus } from '../../../src/domain/case.ts';
import type { RefundOutboxEntry, Stores } from '../../../src/stores/ports.ts';
import { aCase, anEvent, at, T0, type CurrentHarness, type MakeStores } from './harness.ts';

const MINUTE = 60_000;

/** RefundOutbox, and its entries written by the CaseStore in the same write as each approval. */
export function refundOutboxContract(current: CurrentHarness, makeStores: MakeStores): void {
  const stores = () => current().stores;
  const outbox = () => stores().refundOutbox;
  const create = (id: string, status: CaseStatus, createdAt = T0) =>
    stores().cases.create(aCase({ id, status, createdAt, updatedAt: createdAt }), anEvent(id, { at: createdAt }));
  const move = (id: string, from: CaseStatus, to: CaseStatus, when: Date) =>
    stores().cases.transition(id, from, to, anEvent(id, { type: 'status_changed', at: when }), when);
  const queued = async () => (await outbox().list()).map((entry) => entry.caseId);
  const ids = (entries: RefundOutboxEntry[]) => entries.map((entry) => entry.caseId);

  it('queues a case created approved, in the same write, due at once; no other initial status', async () => {
    await create('RF-APPR22', 'approved', at(1));
    for (const [id, status] of [['RF-PEND22', 'pending_review'], ['RF-DENY22', 'denied'], ['RF-ESCA22', 'escalated']] as const) await create(id, status);
    expect(await outbox().list()).toEqual([{ caseId: 'RF-APPR22', dueAt: at(1), attempts: 0, queuedAt: at(1) }]);
  });

  it('queues a case moved to approved at the time of the move; other moves and refused moves queue nothing', async () => {
    await create('RF-TEST22', 'pending_review');
    await create('RF-DENY22', 'pending_review');
    await move('RF-DENY22', 'pending_review', 'denied', at(1));
    // A transition from a status the case no longer has changes nothing, outbox included.
    await expect(move('RF-TEST22', 'escalated', 'approved', at(2))).rejects.toMatchObject({ code: 'case_status_changed' });
    expect(await queued()).toEqual([]);
    await move('RF-TEST22', 'pending_review', 'approved', at(3));
    expect(await outbox().list()).toEqual([{ caseId: 'RF-TEST22', dueAt: at(3), attempts: 0, queuedAt: at(3) }]);
  });

  it('queues again, due at once with its attempts restarted, a case approved again after a dispute', async () => {
    await create('RF-TEST22', 'approved');
    const [first] = await outbox().lease(at(1), MINUTE, 10);
    expect(first?.attempt).toBe(1);
    await move('RF-TEST22', 'approved', 'escalated', at(2));
    await move('RF-TEST22', 'escalated', 'approved', at(3));
    expect(await outbox().list()).toEqual([{ caseId: 'RF-TEST22', dueAt: at(3), attempts: 0, queuedAt: at(3) }]);
    // The lease taken before the new approval no longer holds the entry.
    expect(await outbox().done('RF-TEST22', first?.lease ?? '')).toBe(false);
    expect(await outbox().lease(at(3), MINUTE, 10)).toMatchObject([{ caseId: 'RF-TEST22', attempt: 1, queuedAt: at(3) }]);
  });

  it('leases due entries earliest first, up to the limit, counting an attempt on each', async () => {
    await create('RF-BBBB22', 'approved', at(2));
    await create('RF-AAAA22', 'approved', at(2));
    await create('RF-CCCC22', 'approved', at(1));
    await create('RF-LATE22', 'approved', at(10));
    const leased = await outbox().lease(at(5), MINUTE, 2);
    // Equal due times are taken in case id order.
    expect(ids(leased)).toEqual(['RF-CCCC22', 'RF-AAAA22']);
    expect(leased.map((entry) => entry.attempt)).toEqual([1, 1]);
    expect(leased[0]?.queuedAt).toEqual(at(1));
    expect(ids(await outbox().lease(at(5), MINUTE, 10))).toEqual(['RF-BBBB22']);
    expect(await outbox().lease(at(5), MINUTE, 10)).toEqual([]);
  });

  it('hands a leased entry to nobody until its lease lapses, then again with the next attempt and a new lease', async () => {
    await create('RF-TEST22', 'approved');
    const [first] = await outbox().lease(T0, 5 * MINUTE, 10);
    expect(first).toMatchObject({ caseId: 'RF-TEST22', attempt: 1 });
    expect(await outbox().lease(at(4), 5 * MINUTE, 10)).toEqual([]);
    const [second] = await outbox().lease(at(5), 5 * MINUTE, 10);
    expect(second).toMatchObject({ caseId: 'RF-TEST22', attempt: 2 });
    expect(second?.lease).not.toBe(first?.lease);
    // The first holder, late, can neither finish nor reschedule what it no longer holds.
    expect(await outbox().done('RF-TEST22', first?.lease ?? '')).toBe(false);
    expect(await outbox().retry('RF-TEST22', first?.lease ?? '', at(6))).toBe(false);
    expect(await outbox().list()).toEqual([{ caseId: 'RF-TEST22', dueAt: at(10), attempts: 2, queuedAt: T0 }]);
    expect(await outbox().done('RF-TEST22', second?.lease ?? '')).toBe(true);
    expect(await outbox().list()).toEqual([]);
    expect(await outbox().done('RF-TEST22', second?.lease ?? '')).toBe(false);
  });

  it('makes a retried entry due at the given time, not before, and free to lease then', async () => {
    await create('RF-TEST22', 'approved');
    const [first] = await outbox().lease(T0, MINUTE, 10);
    expect(await outbox().retry('RF-TEST22', first?.lease ?? '', at(30))).toBe(true);
    expect(await outbox().list()).toEqual([{ caseId: 'RF-TEST22', dueAt: at(30), attempts: 1, queuedAt: T0 }]);
    // Released: its old lease is gone, so it cannot be finished with it.
    expect(await outbox().done('RF-TEST22', first?.lease ?? '')).toBe(false);
    expect(await outbox().lease(at(29), MINUTE, 10)).toEqual([]);
    expect(await outbox().lease(at(30), MINUTE, 10)).toMatchObject([{ caseId: 'RF-TEST22', attempt: 2 }]);
  });

  it('never hands one entry to two of many concurrent leases, on one instance or two', async () => {
    const caseIds = Array.from({ length: 12 }, (_, index) => `RF-C${String(index).padStart(3, '0')}22`);
    for (const id of caseIds) await create(id, 'approved');
    const other = await current().another();
    const leasers: Stores[] = [stores(), other, stores(), other, stores(), other, stores(), other];
    const batches = await Promise.all(leasers.map((leaser) => leaser.refundOutbox.lease(at(1), MINUTE, 2)));
    const taken = batches.flatMap(ids);
    expect([...taken].sort()).toEqual(caseIds);
    expect(new Set(taken).size).toBe(taken.length);
  });

  it('keeps its entries, attempts and leases across a restart', async () => {
    await create('RF-AAAA22', 'approved');
    await create('RF-BBBB22', 'approved');
    const [leased] = await outbox().lease(T0, 5 * MINUTE, 1);
    expect(leased?.caseId).toBe('RF-AAAA22');
    await current().reopen();
    expect(ids(await outbox().lease(at(1), 5 * MINUTE, 10))).toEqual(['RF-BBBB22']);
    expect(await outbox().lease(at(5), 5 * MINUTE, 10)).toMatchObject([{ caseId: 'RF-AAAA22', attempt: 2 }]);
  });

  it('refuses a lease length or limit that is not a positive whole number', async () => {
    await expect(outbox().lease(T0, 0, 10)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(outbox().lease(T0, MINUTE, 0)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('queues nothing when the backend was opened without queueApprovals', async () => {
    const harness = await makeStores({ queueApprovals: false });
    try {
      await harness.stores.cases.create(aCase({ status: 'approved' }), anEvent('RF-TEST22'));
      await harness.stores.cases.create(aCase({ id: 'RF-PEND22' }), anEvent('RF-PEND22'));
      await harness.stores.cases.transition('RF-PEND22', 'pending_review', 'approved', anEvent('RF-PEND22', { type: 'status_changed' }), at(1));
      expect(await harness.stores.refundOutbox.list()).toEqual([]);
      expect((await harness.stores.cases.get('RF-PEND22'))?.status).toBe('approved');
    } finally {
      await harness.cleanup();
    }
  });
}
