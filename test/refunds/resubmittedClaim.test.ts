import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseService } from '../../src/cases/caseService.ts';
import { createLogger } from '../../src/log/logger.ts';
import { InMemoryOrderDirectory } from '../../src/orders/fileDirectory.ts';
import { loadPolicyRules } from '../../src/policy/rules.ts';
import { PolicyRefundDesk } from '../../src/refunds/policyRefundDesk.ts';
import type { RefundRequest } from '../../src/refunds/refundDesk.ts';
import { specOrder } from '../support/orders.ts';
import { ROOT } from '../support/server.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';

type Harness = Awaited<ReturnType<typeof makeSqliteHarness>>;

/**
 * A refund claim submitted again by the same conversation: what happens when the turn that
 * opened the case never committed (found by the soak, issue 10 §6: the instance was SIGKILLed,
 * or Redis restarted, between opening the case and saving the turn) and the customer's retried
 * "yes" runs the decision again.
 */
describe('PolicyRefundDesk: the same claim submitted twice by one conversation', () => {
  let harness: Harness;
  let desk: PolicyRefundDesk;
  // Delivered 2026-11-03, claimed on 2026-11-10 (the harness clock): inside every window.
  const order = specOrder({ items: [specOrder().items[0] as never], shippingFee: 1000, discount: 0, paid: 30_900 });
  const request = (overrides: Partial<RefundRequest> = {}): RefundRequest => ({
    order,
    skus: ['HP-200'],
    category: 'changed_mind',
    reasonText: 'I changed my mind',
    evidence: [],
    conversationId: 'conversation-1',
    channel: 'api',
    locale: 'en',
    ...overrides,
  });

  beforeEach(async () => {
    harness = await makeSqliteHarness();
    const cases = new CaseService({ store: harness.stores.cases, clock: harness.clock });
    desk = new PolicyRefundDesk({
      rules: await loadPolicyRules(path.join(ROOT, 'knowledge/policy/rules.json')),
      orders: new InMemoryOrderDirectory([order]),
      cases,
      store: harness.stores.cases,
      clock: harness.clock,
      logger: createLogger({ level: 'silent' }),
    });
  });
  afterEach(async () => {
    await harness.cleanup();
  });

  it('answers the case it already opened, with the same decision, and opens no second one', async () => {
    const first = await desk.submit(request());
    expect(first.refundCase.status).toBe('approved');
    const again = await desk.submit(request());
    expect(again.refundCase.id).toBe(first.refundCase.id);
    expect(again.decision).toMatchObject({ outcome: first.decision.outcome, amount: first.decision.amount, reason: first.decision.reason, clauses: first.decision.clauses });
    expect(await harness.stores.cases.byOrder(order.id)).toHaveLength(1);
  });

  it('still opens a new case for another conversation (which the already-claimed rule then decides)', async () => {
    const first = await desk.submit(request());
    const other = await desk.submit(request({ conversationId: 'conversation-2' }));
    expect(other.refundCase.id).not.toBe(first.refundCase.id);
    expect(other.decision.guardrails).toContain('already_claimed');
    expect(await harness.stores.cases.byOrder(order.id)).toHaveLength(2);
  });
});
