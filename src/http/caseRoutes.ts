import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { CaseService } from '../cases/caseService.ts';
import { type AuditEvent, CASE_STATUSES, type RefundCase } from '../domain/case.ts';
import { fromMinor } from '../domain/money.ts';
import { InputError } from '../errors.ts';
import { adminGuard } from './adminAuth.ts';
import { sameOriginGuard } from './csrf.ts';
import type { CaseStore } from '../stores/ports.ts';
import { parseBody } from '../channels/api/schemas.ts';

const StatusChange = z.object({
  status: z.enum(CASE_STATUSES),
  /** Told to the customer with the update (e.g. why a refund was denied). */
  note: z.string().trim().max(1000).optional(),
  /** Who made the change, for the audit trail (a staff member's name or a system's). */
  actor: z.string().trim().min(1).max(100).optional(),
});

/** The merchant's confirmation that it paid a refund back (POST /v1/cases/{id}/refunded). */
const RefundedConfirmation = z
  .object({
    /** The merchant's reference for the payment (its refund id), kept on the audit trail. */
    reference: z.string().trim().min(1).max(200).optional(),
    /** When the money went back (ISO 8601 with a time zone); now if absent. */
    refundedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

/**
 * The case API for the merchant's staff and tools: needs `ADMIN_TOKEN` (401 without it). Reads
 * cases with their audit trail, and moves a case to another status (the lifecycle decides what
 * is allowed) while telling the customer in their conversation.
 */
export function caseRoutes(options: {
  cases: CaseStore;
  caseService: CaseService;
  /** Tells the case's conversation; false when the conversation no longer exists. */
  notify: (refundCase: RefundCase, note: string | undefined) => Promise<boolean>;
  adminToken: string | undefined;
  /** PUBLIC_URL: pages there may post to the case API besides those on the request's own host. */
  publicUrl: string | undefined;
}): FastifyPluginAsync {
  const { cases, caseService, notify, adminToken } = options;
  const requireAdmin = adminGuard(adminToken);
  // Every state-changing staff route: no cross-site browser requests, JSON bodies only.
  const sameOrigin = sameOriginGuard({ publicUrl: options.publicUrl });

  return async (app) => {
    app.get('/v1/cases/:caseId', async (request) => {
      requireAdmin(request);
      const { caseId } = request.params as { caseId: string };
      const found = await cases.get(caseId);
      if (!found) throw new InputError('case_not_found', `no case ${caseId}`, 404);
      return { ...caseJson(found), audit: (await cases.audit(found.id)).map(auditJson) };
    });

    app.post('/v1/cases/:caseId/status', { onRequest: sameOrigin }, async (request) => {
      requireAdmin(request);
      const { caseId } = request.params as { caseId: string };
      const change = parseBody(StatusChange, request.body);
      const updated = await caseService.transition(caseId, change.status, { kind: 'agent', id: change.actor ?? 'case-api' }, change.note);
      const notified = await notify(updated, change.note);
      return { ...caseJson(updated), notified };
    });

    // The merchant's confirmation that the refund was paid (its refund webhook receiver calls
    // this). Idempotent: confirming a refunded case again answers 200 and tells nobody twice.
    app.post('/v1/cases/:caseId/refunded', { onRequest: sameOrigin }, async (request) => {
      requireAdmin(request);
      const { caseId } = request.params as { caseId: string };
      const body = parseBody(RefundedConfirmation, request.body ?? {});
      const { refundCase, changed } = await caseService.markRefunded(caseId, { kind: 'system', id: 'merchant' }, {
        ...(body.reference ? { reference: body.reference } : {}),
        ...(body.refundedAt ? { refundedAt: new Date(body.refundedAt) } : {}),
      });
      const notified = changed ? await notify(refundCase, undefined) : false;
      return { ...caseJson(refundCase), notified };
    });

    app.get('/v1/cases', async (request) => {
      requireAdmin(request);
      const { orderId } = parseBody(z.object({ orderId: z.string().min(1).max(64) }), request.query);
      return { cases: (await cases.byOrder(orderId)).map(caseJson) };
    });
  };
}

/** A case as the API shows it: money as decimals in the order's currency, dates as ISO strings. */
export function caseJson(refundCase: RefundCase) {
  const { decision } = refundCase;
  return {
    ...refundCase,
    decision: { ...decision, amount: fromMinor(decision.amount, decision.currency) },
    outcome: decision.outcome,
    amount: fromMinor(decision.amount, decision.currency),
    currency: decision.currency,
    clauses: decision.clauses,
    createdAt: refundCase.createdAt.toISOString(),
    updatedAt: refundCase.updatedAt.toISOString(),
  };
}

function auditJson(event: AuditEvent) {
  return { ...event, at: event.at.toISOString() };
}
