import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditEvent, RefundCase } from '../domain/case.ts';
import { fromMinor } from '../domain/money.ts';
import { InputError } from '../errors.ts';
import type { CaseStore } from '../stores/ports.ts';
import { parseBody } from '../channels/api/schemas.ts';

/** The case API for the merchant's staff and tools: needs `ADMIN_TOKEN` (401 without it). */
export function caseRoutes(options: { cases: CaseStore; adminToken: string | undefined }): FastifyPluginAsync {
  const { cases, adminToken } = options;
  const expected = adminToken ? digest(adminToken) : undefined;

  const requireAdmin = (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    // Compare digests so the comparison is constant-time whatever the token lengths.
    if (!expected || !match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new InputError('unauthorized', adminToken ? 'missing or wrong admin token' : 'the case API is off: set ADMIN_TOKEN', 401);
    }
  };

  return async (app) => {
    app.get('/v1/cases/:caseId', async (request) => {
      requireAdmin(request);
      const { caseId } = request.params as { caseId: string };
      const found = await cases.get(caseId);
      if (!found) throw new InputError('case_not_found', `no case ${caseId}`, 404);
      return { ...caseJson(found), audit: (await cases.audit(found.id)).map(auditJson) };
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

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
