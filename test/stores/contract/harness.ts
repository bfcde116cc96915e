import type { AuditEvent, RefundCase } from '../../../src/domain/case.ts';
import type { FixedClock } from '../../../src/domain/clock.ts';
import type { Stores } from '../../../src/stores/ports.ts';

/** One backend under test, fresh and empty. */
export interface StoreHarness {
  stores: Stores;
  /** The stores' clock (starts at `T0`). */
  clock: FixedClock;
  /** Closes the current stores and opens the same backend again (a process restart). */
  reopen(): Promise<Stores>;
  /**
   * Opens a second instance on the same backend, beside the current one (another process on the
   * same DATA_DIR, another app instance on the same Redis); `cleanup()` closes it.
   */
  another(): Promise<Stores>;
  /** Closes everything and removes what the backend wrote. */
  cleanup(): Promise<void>;
  /**
   * Lets `ms` pass for the backend: moves the stores' clock, and for a backend that keeps time
   * itself (Redis TTLs) also waits that long for real.
   */
  elapse(ms: number): Promise<void>;
}

/** Settings a test may need other than the defaults. */
export interface HarnessOptions {
  conversationTtlMs?: number;
  /** Queue approvals in the refund outbox; on unless a test says otherwise. */
  queueApprovals?: boolean;
}

/** Makes a fresh, empty backend for one test. */
export type MakeStores = (options?: HarnessOptions) => Promise<StoreHarness>;

/** The harness of the running test. */
export type CurrentHarness = () => StoreHarness;

export const T0 = new Date('2026-11-10T09:00:00.000Z');

/** `T0` moved by `minutes`. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

/** A plausible case; `overrides` change any field. */
export function aCase(overrides: Partial<RefundCase> = {}): RefundCase {
  return {
    id: 'RF-TEST22',
    orderId: '100234',
    customerId: 'c-17',
    conversationId: 'conv-1',
    channel: 'webchat',
    locale: 'zh-CN',
    category: 'defective',
    items: ['HP-200'],
    reasonText: '耳机坏了，左边没有声音',
    evidence: [{ id: 'a'.repeat(64), contentType: 'image/png', size: 70, name: 'photo.png' }],
    decision: {
      outcome: 'full',
      amount: 28700,
      currency: 'CNY',
      clauses: ['R-2.1', 'R-5.1'],
      guardrails: [],
      policyVersion: '2026-11-01',
    },
    status: 'pending_review',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** An audit event of `caseId`. */
export function anEvent(caseId: string, overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    caseId,
    at: T0,
    actor: { kind: 'assistant' },
    type: 'created',
    data: { policyVersion: '2026-11-01' },
    ...overrides,
  };
}
