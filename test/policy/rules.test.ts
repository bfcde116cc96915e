import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/domain/categories.ts';
import { ConfigError } from '../../src/errors.ts';
import { citedClauseIds, loadPolicyRules, parsePolicyRules } from '../../src/policy/rules.ts';
import { RULES_PATH } from './fixtures.ts';

async function shipped(): Promise<Record<string, any>> {
  return JSON.parse(await readFile(RULES_PATH, 'utf8'));
}

/** The error a broken copy of the shipped rules produces. */
async function errorFor(mutate: (rules: Record<string, any>) => void): Promise<ConfigError> {
  const data = await shipped();
  mutate(data);
  try {
    parsePolicyRules(data, 'rules.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('knowledge/policy/rules.json', () => {
  it('encodes the SPEC §4 defaults', async () => {
    const rules = await loadPolicyRules(RULES_PATH);
    expect(Object.keys(rules.categories).sort()).toEqual([...CATEGORIES].sort());
    expect(rules.days.timeZone).toBe('UTC');
    expect(rules.notYetShipped.orderStatuses).toEqual(['processing']);
    expect(rules.guardrails.over_auto_approve_limit.limit).toBe(500);
    expect(rules.guardrails.repeat_refunder).toMatchObject({ minCases: 3, withinDays: 90, ignoreStatuses: ['cancelled'] });
    const c = rules.categories;
    for (const id of ['defective', 'wrong_item', 'not_as_described'] as const) {
      expect(c[id]).toMatchObject({ kind: 'full', window: { days: 30, from: 'delivery' }, proofRequired: true, refundShipping: 'whole_order' });
    }
    expect(c.damaged_in_transit).toMatchObject({ kind: 'full', window: { days: 7, from: 'delivery' }, proofRequired: true });
    expect(c.changed_mind).toMatchObject({ window: { days: 7 }, proofRequired: false, refundShipping: 'never', itemKinds: ['physical'] });
    expect(c.not_received).toMatchObject({ kind: 'not_received', waitDays: 7, from: 'placed', scope: 'order' });
    expect(c.duplicate_order).toMatchObject({ window: { days: 30, from: 'purchase' }, sameSkuWithinHours: 48, scope: 'order' });
    expect(c.unused_subscription).toMatchObject({ window: { days: 7, from: 'purchase' }, itemKinds: ['subscription'] });
    expect(c.service_issue).toMatchObject({ kind: 'prorated_review', proofRequired: true });
    for (const id of ['billing_error', 'promotion_issue', 'other'] as const) expect(c[id].kind).toBe('review');
  });

  it('lists the clauses it cites', async () => {
    const ids = citedClauseIds(await loadPolicyRules(RULES_PATH));
    expect(ids).toContain('R-1.1');
    expect(ids).toContain('R-4.2');
    expect(ids).toContain('R-9.5');
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('a bad rules file stops start-up naming the field', () => {
  it.each([
    ['a window that is not a number', (r: any) => (r.categories.defective.window.days = '30'), /categories\.defective\.window\.days: expected number/],
    ['a missing category', (r: any) => delete r.categories.changed_mind, /categories\.changed_mind/],
    ['an unknown rule kind', (r: any) => (r.categories.other.kind = 'refund_everything'), /categories\.other\.kind/],
    ['a typo in a field name', (r: any) => (r.categories.defective.proofRequred = true), /categories\.defective: Unrecognized key: "proofRequred"/],
    ['a malformed clause id', (r: any) => (r.guardrails.missing_proof.clause = '9.2'), /guardrails\.missing_proof\.clause: expected a clause id/],
    ['a limit with fractions of a cent', (r: any) => (r.guardrails.over_auto_approve_limit.limit = 500.001), /guardrails\.over_auto_approve_limit\.limit/],
    ['a missing version', (r: any) => delete r.version, /^policy rules rules\.json: version/],
    ['not received counted from delivery', (r: any) => (r.categories.not_received.from = 'delivery'), /categories\.not_received\.from/],
  ])('%s', async (_name, mutate, message) => {
    const error = await errorFor(mutate);
    expect(error.code).toBe('policy_rules_invalid');
    expect(error.message).toMatch(message);
  });

  it('reports unreadable and non-JSON files as configuration errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rules-'));
    await expect(loadPolicyRules(path.join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'policy_rules_unreadable' });
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{ "version": ');
    await expect(loadPolicyRules(bad)).rejects.toMatchObject({ code: 'policy_rules_invalid', fault: 'configuration' });
  });
});
