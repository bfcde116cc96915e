import type { ClientStats, RetryingCustomer } from './customer.ts';
import type { ConversationPlan } from './plans.ts';

/** A case as the admin case API shows it (GET /v1/cases/{id}), the fields the checks read. */
export interface CaseView {
  id: string;
  orderId: string;
  conversationId: string;
  status: string;
  audit: { type: string; data: Record<string, unknown> }[];
}

/** How one scripted conversation went. */
export interface ConversationResult {
  plan: ConversationPlan;
  customer: RetryingCustomer;
  /** A decision was announced (a case summary in the replies). */
  completed: boolean;
  announced?: { id: string; status: string };
  /** The conversation answered a further message after the run. */
  answersAfter: boolean;
  error?: string;
}

/** Everything a run measured, and the invariants it broke (empty: all held). */
export interface SoakFigures {
  lines: string[];
  failures: string[];
}

export interface RunRecord {
  options: { instances: number; conversations: number; concurrency: number; kills: number; redisRestarts: number };
  results: ConversationResult[];
  /** Every case of each plan's order (one order per conversation). */
  cases: Map<string, CaseView[]>;
  /** Every request the merchant's endpoint received. */
  deliveries: { caseId: string; key: string }[];
  /** Refunds the reference receiver paid, one per Idempotency-Key. */
  payouts: { idempotencyKey: string; caseId: string }[];
  rejectedSignatures: number;
  outboxLeft: number;
  clients: ClientStats;
  faults: { kills: number; redisRestarts: number; /** Each fault and how far the conversations were, e.g. `kill@23%`. */ when: string[] };
  elapsedMs: number;
  driveMs: number;
  settleMs: number;
  /** stderr of server processes that exited on their own (not killed by the run). */
  serverCrashes: string[];
}

/** How many times the audit trail says the case became approved. */
export function approvals(view: CaseView): number {
  let count = 0;
  for (const event of view.audit) {
    if (event.type === 'created' && event.data.status === 'approved') count += 1;
    if (event.type === 'status_changed' && event.data.to === 'approved') count += 1;
  }
  return count;
}

/** The checks of issue 10 §6 over one run, as printable figures and the invariants broken. */
export function checkRun(run: RunRecord): SoakFigures {
  const { results, cases } = run;
  const failures: string[] = [];
  const fail = (count: number, what: string, examples: string[]) => {
    if (count > 0) failures.push(`${count} ${what}${examples.length ? `: ${examples.slice(0, 5).join('; ')}` : ''}`);
  };

  const started = results.filter((result) => result.customer.conversationId !== '');
  const completed = results.filter((result) => result.completed);
  const canContinue = results.filter((result) => !result.completed && result.answersAfter);
  const stuck = results.filter((result) => !result.answersAfter);
  fail(stuck.length, 'conversations stuck or lost (no answer to a further message)', stuck.map((result) => `order ${result.plan.orderId}: ${result.error ?? 'no answer'}`));

  // Cases: what the customers were told against what the store holds.
  const submitted = completed.length;
  const lost: string[] = [];
  const duplicates: string[] = [];
  const unannounced: string[] = [];
  const asPlanned = { yes: 0, no: [] as string[] };
  let existing = 0;
  for (const result of results) {
    const found = cases.get(result.plan.orderId) ?? [];
    existing += found.length;
    if (found.length > 1) duplicates.push(`order ${result.plan.orderId}: ${found.map((view) => `${view.id} ${view.status}`).join(', ')}`);
    if (result.announced && !found.some((view) => view.id === result.announced?.id)) lost.push(`${result.announced.id} (order ${result.plan.orderId})`);
    if (!result.announced && found.length > 0) unannounced.push(`order ${result.plan.orderId}: ${found.map((view) => view.id).join(', ')}`);
    const first = found[0];
    if (result.announced && first && expectedStatus(result.plan, first.status)) asPlanned.yes += 1;
    else if (result.announced) asPlanned.no.push(`order ${result.plan.orderId}: ${first?.status ?? 'none'} (expected ${result.plan.expected})`);
  }
  fail(lost.length, 'announced cases missing from the store', lost);
  fail(duplicates.length, 'conversations with more than one case for one claim', duplicates);
  fail(unannounced.length, 'cases of conversations that never announced one', unannounced);

  // Approvals and the webhook.
  const allCases = [...cases.values()].flat();
  const approvedTwice = allCases.filter((view) => approvals(view) > 1).map((view) => view.id);
  const approvedPerOrder = [...cases.entries()].filter(([, views]) => views.filter((view) => approvals(view) > 0).length > 1).map(([orderId]) => `order ${orderId}`);
  fail(approvedTwice.length, 'cases approved twice on their audit trail', approvedTwice);
  fail(approvedPerOrder.length, 'claims with more than one approved case', approvedPerOrder);
  const approved = allCases.filter((view) => approvals(view) > 0);
  const paid = new Map<string, number>();
  for (const payout of run.payouts) paid.set(payout.caseId, (paid.get(payout.caseId) ?? 0) + 1);
  const requests = new Map<string, number>();
  for (const delivery of run.deliveries) requests.set(delivery.caseId, (requests.get(delivery.caseId) ?? 0) + 1);
  const once = approved.filter((view) => paid.get(view.id) === 1);
  const never = approved.filter((view) => !paid.has(view.id)).map((view) => `${view.id} ${view.status}`);
  const twice = approved.filter((view) => (paid.get(view.id) ?? 0) > 1).map((view) => view.id);
  const notApprovedPaid = [...paid.keys()].filter((caseId) => !approved.some((view) => view.id === caseId));
  const wrongKey = run.deliveries.filter((delivery) => delivery.key !== delivery.caseId).map((delivery) => `${delivery.caseId} key ${delivery.key}`);
  const redelivered = approved.filter((view) => (requests.get(view.id) ?? 0) > 1).length;
  const notRefunded = approved.filter((view) => view.status !== 'refunded').map((view) => `${view.id} ${view.status}`);
  fail(never.length, 'approved refunds never delivered to the webhook', never);
  fail(twice.length, 'approved refunds paid more than once', twice);
  fail(notApprovedPaid.length, 'refunds paid for cases never approved', notApprovedPaid);
  fail(wrongKey.length, 'deliveries whose Idempotency-Key is not the case id', wrongKey);
  fail(run.rejectedSignatures, 'deliveries refused for a bad signature', []);
  fail(run.outboxLeft, 'refund outbox entries left after the settle time', []);
  fail(notRefunded.length, 'approved cases not marked refunded after the merchant answered', notRefunded);
  if (approved.length === 0) failures.push('no refund was approved: the webhook was not exercised');

  // The faults must really have happened.
  if (run.faults.kills < run.options.kills) failures.push(`only ${run.faults.kills} of ${run.options.kills} kills were done`);
  if (run.faults.redisRestarts < run.options.redisRestarts) failures.push(`only ${run.faults.redisRestarts} of ${run.options.redisRestarts} Redis restarts were done`);
  fail(run.serverCrashes.length, 'server processes exited on their own', run.serverCrashes.map((text) => text.slice(0, 300)));

  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const byStatus = countBy(allCases.map((view) => view.status));
  const lines = [
    `instances ${run.options.instances}, conversations ${run.options.conversations}, concurrency ${run.options.concurrency}`,
    `faults: ${run.faults.kills} SIGKILLs of server processes (each restarted), ${run.faults.redisRestarts} Redis restarts (SIGKILL, same port and append-only file); when: ${run.faults.when.join(' ')}`,
    `conversations: started ${started.length}, completed ${completed.length}, can continue ${canContinue.length}, stuck/lost ${stuck.length}`,
    `cases: submitted ${submitted}, existing ${existing} (${Object.entries(byStatus).map(([status, count]) => `${status} ${count}`).join(', ')}), lost ${lost.length}, duplicates ${duplicates.length}, unannounced ${unannounced.length}`,
    `decisions as the policy plans them: ${asPlanned.yes}/${submitted}${asPlanned.no.length ? ` (others: ${asPlanned.no.slice(0, 3).join('; ')})` : ''}`,
    `refunds approved: ${approved.length}, approved twice ${approvedTwice.length + approvedPerOrder.length}`,
    `webhook: delivered exactly once ${once.length}, never ${never.length}, more than once ${twice.length} (paid once per Idempotency-Key); HTTP requests ${run.deliveries.length}, cases redelivered after a crash ${redelivered}, bad signatures ${run.rejectedSignatures}, outbox left ${run.outboxLeft}`,
    `clients: ${run.clients.requests} requests, ${run.clients.serverErrors} answered 5xx, ${run.clients.connectionErrors} without answer, ${run.clients.rateLimited} answered 429, ${run.clients.gaveUp} given up`,
    `elapsed ${s(run.elapsedMs)} (conversations ${s(run.driveMs)}, outbox settle ${s(run.settleMs)})`,
    failures.length === 0 ? 'invariants: all held' : `invariants BROKEN:\n  - ${failures.join('\n  - ')}`,
  ];
  return { lines, failures };
}

function expectedStatus(plan: ConversationPlan, status: string): boolean {
  if (plan.expected === 'approved') return status === 'approved' || status === 'refunded';
  if (plan.expected === 'pending_review') return status === 'pending_review' || status === 'escalated';
  return status === 'denied';
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
