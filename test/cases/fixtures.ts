import type { OpenCaseInput } from '../../src/cases/caseService.ts';

/** A claim for the SPEC example order's headphones, waiting for review; `overrides` change any field. */
export function openCaseInput(overrides: Partial<OpenCaseInput> = {}): OpenCaseInput {
  return {
    orderId: '100234',
    customerId: 'c-17',
    conversationId: 'conv-1',
    channel: 'webchat',
    locale: 'en',
    category: 'defective',
    items: ['HP-200'],
    reasonText: 'The left earphone is silent',
    evidence: [{ id: 'b'.repeat(64), contentType: 'image/jpeg', size: 125, name: 'ear.jpg' }],
    decision: { outcome: 'full', amount: 28700, currency: 'CNY', clauses: ['R-2.1'], guardrails: ['missing_proof'], policyVersion: '2026-11-01' },
    status: 'pending_review',
    actor: { kind: 'assistant' },
    ...overrides,
  };
}
