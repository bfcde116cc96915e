import { describe, expect, it } from 'vitest';
import { CASE_ID_ALPHABET, CASE_ID_PATTERN, newCaseId } from '../../src/cases/caseId.ts';

describe('newCaseId', () => {
  it('uses an alphabet without look-alike characters', () => {
    expect(CASE_ID_ALPHABET).toHaveLength(31);
    expect(new Set(CASE_ID_ALPHABET).size).toBe(31);
    for (const lookalike of '01ILO') expect(CASE_ID_ALPHABET).not.toContain(lookalike);
  });

  it('makes RF- and six alphabet characters, different each time, using every character', () => {
    const ids = Array.from({ length: 500 }, newCaseId);
    for (const id of ids) expect(id).toMatch(CASE_ID_PATTERN);
    // Two equal ids among 500 happen once in ~7,000 runs; more than that means a broken generator.
    expect(new Set(ids).size).toBeGreaterThanOrEqual(ids.length - 1);
    const used = new Set(ids.flatMap((id) => Array.from(id.slice(3))));
    expect(used.size).toBe(CASE_ID_ALPHABET.length);
  });
});
