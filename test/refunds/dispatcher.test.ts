import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseService } from '../../src/cases/caseService.ts';
import type { Escalation, RefundCase } from '../../src/domain/case.ts';
import type { Order, OrderDirectory } from '../../src/domain/order.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { DeliveryResult, RefundWebhookSender } from '../../src/refunds/webhook/client.ts';
import { RefundDispatcher, type RefundDispatcherTiming } from '../../src/refunds/webhook/dispatcher.ts';
import type { RefundWebhookPayload } from '../../src/refunds/webhook/payload.ts';
import type { CaseStore, RefundOutbox } from '../../src/stores/ports.ts';
import { aCase, anEvent } from '../stores/contract/harness.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { until } from '../support/wait.ts';

type Harness = Awaited<ReturnType<typeof makeSqliteHarness>>;
type Send = (payload: RefundWebhookPayload, key: string, signal?: AbortSignal) => Promise<DeliveryResult>;

/** The merchant's endpoint at its port: records each call and answers with `answer`. */
class FakeWebhook implements RefundWebhookSender {
  readonly calls: { payload: RefundWebhookPayload; key: string }[] = [];
  answer: Send = async () => ({ ok: true, status: 200, refunded: false });
  async send(payload: RefundWebhookPayload, key: string, signal?: AbortSignal): Promise<DeliveryResult> {
    this.calls.push({ payload, key });
    return this.answer(payload, key, signal);
  }
}

const noOrders: OrderDirectory = { get: async () => undefined, byCustomer: async () => [] as Order[] };
const FAST: Partial<RefundDispatcherTiming> = { pollMs: 20, leaseMs: 60_000, backoffBaseMs: 1_000, backoffCapMs: 60_000, escalateAfter: 3, batch: 2 };

describe('RefundDispatcher', () => {
  let harness: Harness;
  let webhook: FakeWebhook;
  let dispatcher: RefundDispatcher | undefined;
  let told: { customer: RefundCase[]; people: Escalation[] };
  beforeEach(async () => {
    harness = await makeSqliteHarness();
    webhook = new FakeWebhook();
    told = { customer: [], people: [] };
  });
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    await harness.cleanup();
  });

  function start(options: { outbox?: RefundOutbox; orders?: OrderDirectory; timing?: Partial<RefundDispatcherTiming>; caseStore?: CaseStore } = {}): RefundDispatcher {
    const cases = new CaseService({ store: options.caseStore ?? harness.stores.cases, clock: harness.clock });
    dispatcher = new RefundDispatcher({
      outbox: options.outbox ?? harness.stores.refundOutbox,
      caseStore: harness.stores.cases,
      cases,
      orders: options.orders ?? noOrders,
      webhook,
      clock: harness.clock,
      logger: createLogger({ level: 'silent' }),
      notifyCustomer: async (refundCase) => told.customer.push(refundCase),
      tellPeople: async (_refundCase, escalation) => told.people.push(escalation),
      timing: { ...FAST, ...options.timing },
      random: () => 1,
    });
    dispatcher.start();
    return dispatcher;
  }
  const approve = (id: string) => harness.stores.cases.create(aCase({ id, status: 'approved' }), anEvent(id, { data: { status: 'approved' } }));
  const trail = async (id: string) => (await harness.stores.cases.audit(id)).filter((event) => event.type.startsWith('refund_') || event.type === 'escalated');

  it('sends every due entry, in batches, until none is left', async () => {
    for (const id of ['RF-AAAA22', 'RF-BBBB22', 'RF-CCCC22', 'RF-DDDD22', 'RF-EEEE22']) await approve(id);
    start();
    await until(async () => (await harness.stores.refundOutbox.list()).length === 0, 'the outbox emptied');
    expect(webhook.calls.map((call) => call.key).sort()).toEqual(['RF-AAAA22', 'RF-BBBB22', 'RF-CCCC22', 'RF-DDDD22', 'RF-EEEE22']);
  });

  it('runs again at once when nudged during a pass, so a new approval is not left for the next poll', async () => {
    let release = () => undefined as void;
    webhook.answer = () => new Promise((resolve) => (release = () => resolve({ ok: true, status: 200, refunded: false })));
    await approve('RF-AAAA22');
    const running = start({ timing: { pollMs: 60_000 } });
    await until(() => webhook.calls.length === 1, 'the first delivery in flight');
    webhook.answer = async () => ({ ok: true, status: 200, refunded: false });
    await approve('RF-BBBB22');
    running.nudge();
    release();
    await until(() => webhook.calls.length === 2, 'the second approval sent without waiting a poll', 1_000);
  });

  it('retries with backoff, escalates once after `escalateAfter` failures, and goes on retrying', async () => {
    webhook.answer = async () => ({ ok: false, status: 500, error: 'http_500' });
    await approve('RF-TEST22');
    start();
    for (let attempt = 1; attempt <= 4; attempt++) {
      // Released for the retry (not merely leased: a lease would be due in a minute). random() = 1:
      // the whole ceiling, 1 s, 2 s, 4 s…
      const [entry] = await until(async () => {
        const failed = (await trail('RF-TEST22')).filter((event) => event.type === 'refund_attempt_failed').length;
        const entries = await harness.stores.refundOutbox.list();
        return failed === attempt && entries[0] && entries[0].dueAt.getTime() < harness.clock.now().getTime() + 60_000 && entries;
      }, `attempt ${attempt}`);
      expect(entry?.dueAt.getTime()).toBe(harness.clock.now().getTime() + 1_000 * 2 ** (attempt - 1));
      harness.clock.advance(60_000);
    }
    expect((await trail('RF-TEST22')).map((event) => event.type)).toEqual([
      'refund_attempt_failed',
      'refund_attempt_failed',
      'refund_attempt_failed',
      'escalated',
      'refund_attempt_failed',
    ]);
    expect(told.people).toMatchObject([{ reason: 'refund_delivery_failed', caseId: 'RF-TEST22' }]);
    expect((await harness.stores.cases.get('RF-TEST22'))?.status).toBe('approved');
  });

  it('treats an order that cannot be read like a failed attempt, and retries', async () => {
    let down = true;
    const orders: OrderDirectory = {
      get: async () => {
        if (down) throw new Error('order service down');
        return undefined;
      },
      byCustomer: async () => [],
    };
    await approve('RF-TEST22');
    start({ orders });
    await until(async () => (await trail('RF-TEST22')).length === 1, 'the failed attempt');
    expect(webhook.calls).toEqual([]);
    expect((await trail('RF-TEST22'))[0]).toMatchObject({ type: 'refund_attempt_failed', data: { attempt: 1, error: 'order_unavailable' } });
    down = false;
    harness.clock.advance(60_000);
    await until(() => webhook.calls.length === 1, 'the retry');
  });

  it('keeps polling when the outbox cannot be read for a while', async () => {
    let failures = 2;
    const outbox = harness.stores.refundOutbox;
    const flaky: RefundOutbox = {
      lease: async (...args) => {
        if (failures-- > 0) throw new Error('store unavailable');
        return outbox.lease(...args);
      },
      done: (...args) => outbox.done(...args),
      retry: (...args) => outbox.retry(...args),
      list: () => outbox.list(),
    };
    await approve('RF-TEST22');
    start({ outbox: flaky });
    await until(() => webhook.calls.length === 1, 'the delivery after the store came back');
  });

  it('keeps the entry until a case the merchant refunded is marked refunded: a failure in between is retried, not left approved', async () => {
    // Found by the soak (npm run soak): Redis restarted between removing the entry and marking the case.
    webhook.answer = async () => ({ ok: true, status: 200, refunded: true, reference: 'PAY-1' });
    await approve('RF-TEST24');
    let failures = 1;
    const flaky = new Proxy(harness.stores.cases, {
      get(target, property) {
        if (property === 'transition' && failures > 0) {
          failures -= 1;
          return async () => {
            throw new Error('store unavailable');
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const running = start({ caseStore: flaky });
    await until(() => webhook.calls.length === 1, 'the first delivery');
    await until(async () => failures === 0 && (await harness.stores.refundOutbox.list()).length === 1, 'the failed marking');
    expect((await harness.stores.cases.get('RF-TEST24'))?.status).toBe('approved');
    // The lease lapses; the delivery is repeated under the same key and the case is marked this time.
    harness.clock.advance(61_000);
    running.nudge();
    await until(async () => (await harness.stores.cases.get('RF-TEST24'))?.status === 'refunded', 'the case marked refunded');
    await until(async () => (await harness.stores.refundOutbox.list()).length === 0, 'the entry done');
    expect(webhook.calls.map((call) => call.key)).toEqual(['RF-TEST24', 'RF-TEST24']);
    expect(told.customer.map((refundCase) => refundCase.id)).toEqual(['RF-TEST24']);
  });

  it('on stop, aborts a request in flight and makes its entry due again at once, without backoff or escalation', async () => {
    webhook.answer = (_payload, _key, signal) =>
      new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ ok: false, error: 'stopped' })));
    await approve('RF-TEST22');
    const running = start({ timing: { escalateAfter: 1 } });
    await until(() => webhook.calls.length === 1, 'the request in flight');
    await running.stop();
    expect(await trail('RF-TEST22')).toMatchObject([{ type: 'refund_attempt_failed', data: { attempt: 1, error: 'stopped' } }]);
    expect(await harness.stores.refundOutbox.list()).toMatchObject([{ caseId: 'RF-TEST22', dueAt: harness.clock.now() }]);
    expect(told.people).toEqual([]);
  });
});
