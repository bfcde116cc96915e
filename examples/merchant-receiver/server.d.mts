// Types of server.mjs, for TypeScript callers (the project's tests).
import type { IncomingMessage, ServerResponse } from 'node:http';

export declare const SIGNATURE_HEADER: string;
export declare const TOLERANCE_SECONDS: number;

export type SignatureVerdict = { ok: true } | { ok: false; problem: 'missing' | 'malformed' | 'stale' | 'mismatch' };

export declare function verifySignature(
  header: string | string[] | undefined,
  rawBody: Buffer | string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds?: number,
): SignatureVerdict;

export interface ReceiverOptions {
  secret: string;
  confirm?: 'callback' | 'answer' | 'none';
  assistantUrl?: string;
  adminToken?: string;
  payOut?: (refund: Record<string, unknown>) => Promise<{ reference: string }>;
  now?: () => number;
  log?: (line: Record<string, unknown>) => void;
  toleranceSeconds?: number;
  callbackRetryMs?: number;
}

export interface Receiver {
  handle(req: IncomingMessage, res: ServerResponse): void;
  refunds(): { idempotencyKey: string; caseId: string; payload: Record<string, unknown> }[];
  idle(): Promise<void>;
}

export declare function createReceiver(options: ReceiverOptions): Receiver;
