import { describe, expect, it } from 'vitest';
import { emptyClientStats, type RetryingCustomer } from './customer.ts';
import { type CaseView, checkRun, type ConversationResult, type RunRecord } from './figures.ts';
import { soakPlans } from './plans.ts';

/** The soak's checks must be able to fail: each broken invariant, on a made-up run. */
describe('soak checks', () => {
  const { plans } = soakPlans(2, new Date('2026-11-20T00:00:00Z'));
  const [first, second] = plans as [(typeof plans)[0], (typeof plans)[0]];
  const customer = { conversationId: 'c' } as RetryingCustomer;
  const approved = (id: string, orderId: string, status = 'refunded'): CaseView => ({
    id,
    orderId,
    conversationId: 'c',
    status,
    audit: [{ type: 'created', data: { status: 'approved' } }, ...(status === 'refunded' ? [{ type: 'status_changed', data: { from: 'approved', to: 'refunded' } }] : [])],
  });
  const result = (plan: typeof first, caseId: string | undefined): ConversationResult => ({
    plan,
    customer,
    completed: caseId !== undefined,
    answersAfter: true,
    ...(caseId ? { announced: { id: caseId, status: 'approved' } } : {}),
  });
  // A clean run: two conversations, two approved cases, each paid once.
  const clean = (): RunRecord => ({
    options: { instances: 2, conversations: 2, concurrency: 2, kills: 1, redisRestarts: 1 },
    results: [result(first, 'RF-AAAAAA'), result(second, 'RF-BBBBBB')],
    cases: new Map([
      [first.orderId, [approved('RF-AAAAAA', first.orderId)]],
      [second.orderId, [approved('RF-BBBBBB', second.orderId)]],
    ]),
    deliveries: [
      { caseId: 'RF-AAAAAA', key: 'RF-AAAAAA' },
      { caseId: 'RF-BBBBBB', key: 'RF-BBBBBB' },
    ],
    payouts: [
      { idempotencyKey: 'RF-AAAAAA', caseId: 'RF-AAAAAA' },
      { idempotencyKey: 'RF-BBBBBB', caseId: 'RF-BBBBBB' },
    ],
    rejectedSignatures: 0,
    outboxLeft: 0,
    clients: emptyClientStats(),
    faults: { kills: 1, redisRestarts: 1, when: ['kill@50%', 'redis@50%'] },
    elapsedMs: 1000,
    driveMs: 800,
    settleMs: 100,
    serverCrashes: [],
  });

  it('hold on a clean run', () => {
    expect(checkRun(clean()).failures).toEqual([]);
  });

  it.each<[string, (run: RunRecord) => void, RegExp]>([
    ['a stuck conversation', (run) => Object.assign(run.results[0] as ConversationResult, { answersAfter: false }), /stuck or lost/],
    ['a lost case', (run) => run.cases.set(first.orderId, []), /announced cases missing/],
    ['a duplicate case', (run) => run.cases.get(first.orderId)?.push({ ...approved('RF-CCCCCC', first.orderId, 'denied'), audit: [{ type: 'created', data: { status: 'denied' } }] }), /more than one case/],
    ['a case approved twice', (run) => run.cases.get(first.orderId)?.[0]?.audit.push({ type: 'status_changed', data: { to: 'approved' } }), /approved twice/],
    ['a refund paid twice', (run) => run.payouts.push({ idempotencyKey: 'RF-AAAAAA-again', caseId: 'RF-AAAAAA' }), /paid more than once/],
    ['a refund never delivered', (run) => run.payouts.splice(0, 1), /never delivered/],
    ['a delivery under another key', (run) => run.deliveries.push({ caseId: 'RF-AAAAAA', key: 'other' }), /Idempotency-Key/],
    ['a bad signature', (run) => Object.assign(run, { rejectedSignatures: 1 }), /bad signature/],
    ['an approved case left unrefunded', (run) => run.cases.set(first.orderId, [approved('RF-AAAAAA', first.orderId, 'approved')]), /not marked refunded/],
    ['a kill not done', (run) => Object.assign(run.faults, { kills: 0 }), /kills were done/],
  ])('fail on %s', (_what, breakIt, message) => {
    const run = clean();
    breakIt(run);
    const { failures } = checkRun(run);
    expect(failures.join('\n')).toMatch(message);
  });
});
