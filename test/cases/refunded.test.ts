import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseService, type OpenCaseInput } from '../../src/cases/caseService.ts';
import type { RefundCase } from '../../src/domain/case.ts';
import { ConflictError } from '../../src/errors.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { openCaseInput } from './fixtures.ts';

type Harness = Awaited<ReturnType<typeof makeSqliteHarness>>;

/** An approved claim, decided without proof problems. */
const input = (overrides: Partial<OpenCaseInput> = {}): OpenCaseInput =>
  openCaseInput({ evidence: [], decision: { ...openCaseInput().decision, guardrails: [] }, status: 'approved', ...overrides });

describe('CaseService: refunds paid, and refund delivery escalations', () => {
  let harness: Harness;
  let service: CaseService;
  let changes: RefundCase[];
  beforeEach(async () => {
    harness = await makeSqliteHarness();
    changes = [];
    service = new CaseService({ store: harness.stores.cases, clock: harness.clock, onChanged: (refundCase) => changes.push(refundCase) });
  });
  afterEach(async () => {
    await harness.cleanup();
  });

  it('marks an approved case refunded once, with the merchant’s reference; a repeat changes nothing', async () => {
    const opened = await service.open(input());
    harness.clock.advance(60_000);
    const refundedAt = new Date('2026-11-10T08:00:00Z');
    const first = await service.markRefunded(opened.id, { kind: 'system', id: 'merchant' }, { reference: 'PAY-1', refundedAt });
    expect(first).toMatchObject({ changed: true, refundCase: { status: 'refunded' } });
    const again = await service.markRefunded(opened.id, { kind: 'system', id: 'merchant' }, { reference: 'PAY-2' });
    expect(again).toMatchObject({ changed: false, refundCase: { status: 'refunded' } });
    const trail = await service.audit(opened.id);
    expect(trail.filter((event) => event.type === 'status_changed')).toMatchObject([
      { actor: { kind: 'system', id: 'merchant' }, data: { from: 'approved', to: 'refunded', reference: 'PAY-1', refundedAt: refundedAt.toISOString() } },
    ]);
    expect(changes.map((refundCase) => refundCase.status)).toEqual(['approved', 'refunded']);
  });

  it('refuses to mark refunded a case that is not approved (409), and an unknown case (404)', async () => {
    const pending = await service.open(input({ status: 'pending_review' }));
    const error = await service.markRefunded(pending.id, { kind: 'system' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'case_not_approved', status: 409 });
    await expect(service.markRefunded('RF-NONE22', { kind: 'system' })).rejects.toMatchObject({ code: 'case_not_found', status: 404 });
    expect((await service.get(pending.id))?.status).toBe('pending_review');
  });

  it('lets exactly one of several concurrent confirmations change the case', async () => {
    const opened = await service.open(input());
    const results = await Promise.all(Array.from({ length: 5 }, (_, n) => service.markRefunded(opened.id, { kind: 'system' }, { reference: `PAY-${n}` })));
    expect(results.filter((result) => result.changed)).toHaveLength(1);
    expect((await service.audit(opened.id)).filter((event) => event.type === 'status_changed')).toHaveLength(1);
  });

  it('records an escalation that keeps the status when asked to (the refund stays approved and queued)', async () => {
    const opened = await service.open(input());
    const { escalation, refundCase } = await service.escalate({
      conversationId: 'conv-1',
      caseId: opened.id,
      reason: 'refund_delivery_failed',
      locale: 'en',
      actor: { kind: 'system', id: 'refund-webhook' },
      keepStatus: true,
    });
    expect(refundCase?.status).toBe('approved');
    expect((await service.get(opened.id))?.status).toBe('approved');
    expect(await harness.stores.cases.escalations('conv-1')).toEqual([escalation]);
    expect((await service.audit(opened.id)).at(-1)).toMatchObject({ type: 'escalated', data: { reason: 'refund_delivery_failed', statusChanged: false, from: 'approved' } });
    expect(await harness.stores.refundOutbox.list()).toMatchObject([{ caseId: opened.id }]);
  });

  it('tells its listener about every case it opens or moves, after the write', async () => {
    const opened = await service.open(input({ status: 'pending_review' }));
    await service.transition(opened.id, 'approved', { kind: 'agent', id: 'U1' });
    await service.escalate({ conversationId: 'conv-1', caseId: opened.id, reason: 'dispute', locale: 'en', actor: { kind: 'customer' } });
    expect(changes.map((refundCase) => [refundCase.id, refundCase.status])).toEqual([
      [opened.id, 'pending_review'],
      [opened.id, 'approved'],
      [opened.id, 'escalated'],
    ]);
  });
});
