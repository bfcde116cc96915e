import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CASE_ID_PATTERN } from '../../src/cases/caseId.ts';
import { CaseService } from '../../src/cases/caseService.ts';
import { InputError } from '../../src/errors.ts';
import type { CaseStore } from '../../src/stores/ports.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { openCaseInput } from './fixtures.ts';

type Harness = Awaited<ReturnType<typeof makeSqliteHarness>>;

const input = openCaseInput;

describe('CaseService', () => {
  let harness: Harness;
  let service: CaseService;
  beforeEach(async () => {
    harness = await makeSqliteHarness();
    service = new CaseService({ store: harness.stores.cases, clock: harness.clock });
  });
  afterEach(async () => {
    await harness.cleanup();
  });

  it('refuses to be built without its ports', () => {
    const clock = harness.clock;
    const store = harness.stores.cases;
    expect(() => new CaseService({ clock } as unknown as { store: CaseStore; clock: typeof clock })).toThrow(/store/);
    expect(() => new CaseService({ store } as unknown as { store: CaseStore; clock: typeof clock })).toThrow(/clock/);
  });

  it('opens a case with an RF- id, the clock time, and created + decided audit events', async () => {
    const opened = await service.open(input());
    expect(opened.id).toMatch(CASE_ID_PATTERN);
    expect(opened).toMatchObject({ orderId: '100234', status: 'pending_review', items: ['HP-200'] });
    expect(opened.createdAt).toEqual(new Date('2026-11-10T09:00:00.000Z'));
    expect(opened.updatedAt).toEqual(opened.createdAt);
    expect(await service.get(opened.id)).toEqual(opened);

    const trail = await service.audit(opened.id);
    expect(trail.map((event) => [event.seq, event.type])).toEqual([
      [1, 'created'],
      [2, 'decided'],
    ]);
    expect(trail[0]).toMatchObject({
      at: opened.createdAt,
      actor: { kind: 'assistant' },
      data: {
        orderId: '100234',
        customerId: 'c-17',
        items: ['HP-200'],
        evidence: ['b'.repeat(64)],
        status: 'pending_review',
        policyVersion: '2026-11-01',
        clauses: ['R-2.1'],
        guardrails: ['missing_proof'],
        amount: 28700,
        currency: 'CNY',
        outcome: 'full',
      },
    });
    expect(trail[1]?.data).toEqual({
      outcome: 'full',
      amount: 28700,
      currency: 'CNY',
      clauses: ['R-2.1'],
      guardrails: ['missing_proof'],
      policyVersion: '2026-11-01',
      status: 'pending_review',
    });
  });

  it('does not let later changes to the input alter the recorded case', async () => {
    const request = input();
    const opened = await service.open(request);
    request.items.push('VIP-Y');
    request.decision.clauses.push('R-9');
    expect(opened.items).toEqual(['HP-200']);
    expect(opened.decision.clauses).toEqual(['R-2.1']);
    expect((await service.get(opened.id))?.items).toEqual(['HP-200']);
    expect((await service.get(opened.id))?.decision.clauses).toEqual(['R-2.1']);
  });

  it('draws a new id when the generated one is taken', async () => {
    const ids = ['RF-AAAAAA', 'RF-AAAAAA', 'RF-BBBBBB'];
    const colliding = new CaseService({ store: harness.stores.cases, clock: harness.clock, newId: () => ids.shift() ?? 'RF-ZZZZZZ' });
    expect((await colliding.open(input())).id).toBe('RF-AAAAAA');
    expect((await colliding.open(input())).id).toBe('RF-BBBBBB');
    expect(await colliding.audit('RF-AAAAAA')).toHaveLength(2);
  });

  it('gives up with case_exists when the generator keeps repeating itself', async () => {
    const stuck = new CaseService({ store: harness.stores.cases, clock: harness.clock, newId: () => 'RF-SAME22' });
    await stuck.open(input());
    await expect(stuck.open(input())).rejects.toMatchObject({ code: 'case_exists' });
  });

  it.each(['refunded', 'cancelled'] as const)('refuses to open a case as %s', async (status) => {
    const error = await service.open(input({ status })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ code: 'invalid_initial_status' });
    expect(await service.byOrder('100234')).toEqual([]);
  });

  it('moves a case and records who, when, from, to and the note', async () => {
    const opened = await service.open(input());
    harness.clock.advance(60_000);
    const approved = await service.transition(opened.id, 'approved', { kind: 'agent', id: 'U42' }, 'photo is clear');
    expect(approved).toMatchObject({ status: 'approved', updatedAt: harness.clock.now(), createdAt: opened.createdAt });
    expect((await service.audit(opened.id))[2]).toEqual({
      caseId: opened.id,
      seq: 3,
      at: harness.clock.now(),
      actor: { kind: 'agent', id: 'U42' },
      type: 'status_changed',
      data: { from: 'pending_review', to: 'approved', note: 'photo is clear' },
    });
    const refunded = await service.transition(opened.id, 'refunded', { kind: 'system' });
    expect(refunded.status).toBe('refunded');
    expect((await service.audit(opened.id))[3]?.data).toEqual({ from: 'approved', to: 'refunded' });
  });

  it('refuses moves the lifecycle forbids and unknown cases', async () => {
    const opened = await service.open(input({ status: 'denied' }));
    await expect(service.transition(opened.id, 'approved', { kind: 'agent' })).rejects.toMatchObject({
      code: 'invalid_transition',
      status: 409,
    });
    expect((await service.get(opened.id))?.status).toBe('denied');
    await expect(service.transition('RF-NONE22', 'approved', { kind: 'agent' })).rejects.toMatchObject({
      code: 'case_not_found',
      status: 404,
    });
  });

  it('records an escalation without a case', async () => {
    const { escalation, refundCase } = await service.escalate({
      conversationId: 'conv-9',
      reason: 'customer_request',
      locale: 'zh-CN',
      actor: { kind: 'customer' },
    });
    expect(refundCase).toBeUndefined();
    expect(escalation).toEqual({
      id: expect.any(String),
      conversationId: 'conv-9',
      reason: 'customer_request',
      locale: 'zh-CN',
      at: harness.clock.now(),
    });
    expect(await harness.stores.cases.escalations('conv-9')).toEqual([escalation]);
  });

  it('escalates a disputed denial: the case moves to escalated with an audit event', async () => {
    const opened = await service.open(input({ status: 'denied' }));
    harness.clock.advance(5_000);
    const { escalation, refundCase } = await service.escalate({
      conversationId: 'conv-1',
      caseId: opened.id,
      reason: 'dispute',
      locale: 'en',
      actor: { kind: 'customer', id: 'c-17' },
    });
    expect(escalation).toMatchObject({ caseId: opened.id, orderId: '100234', reason: 'dispute' });
    expect(refundCase).toMatchObject({ status: 'escalated', updatedAt: harness.clock.now() });
    expect((await service.audit(opened.id)).at(-1)).toMatchObject({
      type: 'escalated',
      actor: { kind: 'customer', id: 'c-17' },
      data: { escalationId: escalation.id, reason: 'dispute', from: 'denied', to: 'escalated', statusChanged: true },
    });
  });

  it('keeps a refunded case refunded when escalated, but records the escalation on its trail', async () => {
    const opened = await service.open(input({ status: 'approved' }));
    await service.transition(opened.id, 'refunded', { kind: 'system' });
    const { escalation, refundCase } = await service.escalate({
      conversationId: 'conv-1',
      caseId: opened.id,
      reason: 'dispute',
      locale: 'en',
      actor: { kind: 'customer' },
    });
    expect(refundCase?.status).toBe('refunded');
    expect((await service.get(opened.id))?.status).toBe('refunded');
    expect((await service.audit(opened.id)).at(-1)).toMatchObject({
      type: 'escalated',
      data: { escalationId: escalation.id, from: 'refunded', statusChanged: false },
    });
  });

  it('re-reads the case and still escalates when an agent changed it meanwhile', async () => {
    const opened = await service.open(input());
    const real = harness.stores.cases;
    let interfered = false;
    // The real store, except that an agent approves the case just before the first transition.
    const racing = new Proxy(real, {
      get(target, property, receiver) {
        if (property !== 'transition') return Reflect.get(target, property, receiver).bind(target);
        return async (...args: Parameters<CaseStore['transition']>) => {
          if (!interfered) {
            interfered = true;
            const event = { caseId: opened.id, at: opened.createdAt, actor: { kind: 'agent' as const }, type: 'status_changed' as const, data: {} };
            await target.transition(opened.id, 'pending_review', 'approved', event, opened.createdAt);
          }
          return target.transition(...args);
        };
      },
    });
    const raced = new CaseService({ store: racing, clock: harness.clock });
    const { refundCase } = await raced.escalate({
      conversationId: 'conv-1',
      caseId: opened.id,
      reason: 'dispute',
      locale: 'en',
      actor: { kind: 'customer' },
    });
    expect(interfered).toBe(true);
    expect(refundCase?.status).toBe('escalated');
    expect((await service.audit(opened.id)).map((event) => [event.type, event.data.from])).toEqual([
      ['created', undefined],
      ['decided', undefined],
      ['status_changed', undefined],
      ['escalated', 'approved'],
    ]);
  });

  it('refuses to escalate an unknown case and records nothing', async () => {
    await expect(
      service.escalate({ conversationId: 'conv-1', caseId: 'RF-NONE22', reason: 'dispute', locale: 'en', actor: { kind: 'customer' } }),
    ).rejects.toMatchObject({ code: 'case_not_found' });
    expect(await harness.stores.cases.escalations('conv-1')).toEqual([]);
  });

  it("lists a customer's and an order's cases newest first", async () => {
    const first = await service.open(input());
    harness.clock.advance(60_000);
    const second = await service.open(input({ items: ['VIP-Y'], category: 'unused_subscription' }));
    expect((await service.byOrder('100234')).map((c) => c.id)).toEqual([second.id, first.id]);
    expect((await service.byCustomer('c-17', first.createdAt)).map((c) => c.id)).toEqual([second.id, first.id]);
    expect((await service.byCustomer('c-17', second.createdAt)).map((c) => c.id)).toEqual([second.id]);
    expect((await service.byConversation('conv-1')).map((c) => c.id)).toEqual([second.id, first.id]);
  });
});
