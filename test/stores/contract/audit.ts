import { expect, it } from 'vitest';
import { ConflictError } from '../../../src/errors.ts';
import type { Escalation } from '../../../src/domain/case.ts';
import { aCase, anEvent, at, type CurrentHarness } from './harness.ts';

/** CaseStore: the audit trail and escalations. */
export function auditContract(current: CurrentHarness): void {
  const cases = () => current().stores.cases;

  it('numbers audit events itself, ignoring any seq the caller sets', async () => {
    await cases().create(aCase(), anEvent('RF-TEST22', { seq: 7 }));
    await cases().appendAudit(anEvent('RF-TEST22', { type: 'note', seq: 1, data: { text: 'called the carrier' } }));
    await cases().appendAudit(
      anEvent('RF-TEST22', { type: 'evidence_added', at: at(2), actor: { kind: 'customer', id: 'c-17' } }),
    );
    const trail = await cases().audit('RF-TEST22');
    expect(trail.map((event) => [event.seq, event.type])).toEqual([
      [1, 'created'],
      [2, 'note'],
      [3, 'evidence_added'],
    ]);
    expect(trail[1]?.data).toEqual({ text: 'called the carrier' });
    expect(trail[2]).toMatchObject({ at: at(2), actor: { kind: 'customer', id: 'c-17' } });
  });

  it('keeps each case its own trail', async () => {
    await cases().create(aCase({ id: 'RF-AAAA22' }), anEvent('RF-AAAA22'));
    await cases().create(aCase({ id: 'RF-BBBB22' }), anEvent('RF-BBBB22'));
    await cases().appendAudit(anEvent('RF-BBBB22', { type: 'note' }));
    expect((await cases().audit('RF-AAAA22')).map((e) => e.seq)).toEqual([1]);
    expect((await cases().audit('RF-BBBB22')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await cases().audit('RF-NONE22')).toEqual([]);
  });

  it('refuses audit events of unknown cases', async () => {
    await expect(cases().appendAudit(anEvent('RF-NONE22', { type: 'note' }))).rejects.toMatchObject({
      code: 'case_not_found',
    });
  });

  it('refuses an event that belongs to another case', async () => {
    await expect(cases().create(aCase(), anEvent('RF-OTHER2'))).rejects.toMatchObject({
      code: 'audit_case_mismatch',
    });
    expect(await cases().get('RF-TEST22')).toBeUndefined();
  });

  it('records escalations and lists those of a conversation, oldest first', async () => {
    const withCase: Escalation = {
      id: 'esc-2',
      conversationId: 'conv-1',
      caseId: 'RF-TEST22',
      orderId: '100234',
      reason: 'dispute',
      locale: 'en',
      at: at(10),
    };
    const withoutCase: Escalation = {
      id: 'esc-1',
      conversationId: 'conv-1',
      reason: 'customer_request',
      locale: 'en',
      at: at(1),
    };
    await cases().addEscalation(withCase);
    await cases().addEscalation(withoutCase);
    await cases().addEscalation({ ...withoutCase, id: 'esc-3', conversationId: 'conv-2' });
    expect(await cases().escalations('conv-1')).toEqual([withoutCase, withCase]);
    expect(await cases().escalations('conv-9')).toEqual([]);
  });

  it('refuses an escalation id that is taken', async () => {
    const escalation: Escalation = { id: 'esc-1', conversationId: 'conv-1', reason: 'dispute', locale: 'en', at: at(0) };
    await cases().addEscalation(escalation);
    const error = await cases()
      .addEscalation({ ...escalation, reason: 'needs_review' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'escalation_exists' });
    expect(await cases().escalations('conv-1')).toEqual([escalation]);
  });
}
