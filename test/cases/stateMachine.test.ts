import { describe, expect, it } from 'vitest';
import {
  CASE_TRANSITIONS,
  INITIAL_CASE_STATUSES,
  assertTransition,
  canTransition,
  isTerminal,
} from '../../src/cases/stateMachine.ts';
import { CASE_STATUSES, type CaseStatus } from '../../src/domain/case.ts';
import { InputError } from '../../src/errors.ts';

// The lifecycle written out independently of the implementation: every allowed edge, as
// "from → to". Any pair not listed must be refused.
const ALLOWED = new Set([
  'pending_review → approved',
  'pending_review → denied',
  'pending_review → escalated',
  'pending_review → cancelled',
  'escalated → approved',
  'escalated → denied',
  'escalated → pending_review',
  'escalated → cancelled',
  'approved → refunded',
  'approved → cancelled',
  'approved → escalated',
  'denied → escalated',
]);

const pairs = CASE_STATUSES.flatMap((from) => CASE_STATUSES.map((to) => [from, to] as [CaseStatus, CaseStatus]));

describe('case lifecycle', () => {
  it.each(pairs)('%s → %s', (from, to) => {
    const allowed = ALLOWED.has(`${from} → ${to}`);
    expect(canTransition(from, to)).toBe(allowed);
    if (allowed) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(InputError);
  });

  it('refuses with invalid_transition and status 409', () => {
    expect(() => assertTransition('refunded', 'approved')).toThrow(
      expect.objectContaining({ code: 'invalid_transition', status: 409 }),
    );
  });

  it('has a rule for every status and only known statuses as targets', () => {
    expect(Object.keys(CASE_TRANSITIONS).sort()).toEqual([...CASE_STATUSES].sort());
    for (const targets of Object.values(CASE_TRANSITIONS)) {
      for (const to of targets) expect(CASE_STATUSES).toContain(to);
    }
  });

  it('ends at refunded and cancelled only', () => {
    expect(CASE_STATUSES.filter(isTerminal)).toEqual(['refunded', 'cancelled']);
  });

  it('opens cases as approved, pending_review, escalated or denied, never as a final status', () => {
    expect([...INITIAL_CASE_STATUSES].sort()).toEqual(['approved', 'denied', 'escalated', 'pending_review']);
  });

  it('lets every open case still reach a final status', () => {
    for (const start of INITIAL_CASE_STATUSES) {
      const seen = new Set<CaseStatus>([start]);
      const queue: CaseStatus[] = [start];
      for (let status = queue.shift(); status; status = queue.shift()) {
        for (const next of CASE_TRANSITIONS[status]) if (!seen.has(next) && seen.add(next)) queue.push(next);
      }
      expect([...seen].some(isTerminal)).toBe(true);
    }
  });
});
