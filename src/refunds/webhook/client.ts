import { z } from 'zod';
import type { Clock } from '../../domain/clock.ts';
import type { RefundWebhookPayload } from './payload.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';

/** What one delivery attempt came to. */
export type DeliveryResult =
  | {
      ok: true;
      /** The 2xx status the merchant answered. */
      status: number;
      /** The merchant answered `{"status":"refunded"}`: the money has already gone back. */
      refunded: boolean;
      /** The merchant's reference for the refund, when it gave one with `refunded`. */
      reference?: string;
    }
  | {
      ok: false;
      /** The HTTP status, when the merchant answered at all. */
      status?: number;
      /** `http_<status>`, `timeout`, or the network error's code (`ECONNREFUSED`…); never the URL or the body. */
      error: string;
    };

/** Port: sends one signed delivery (a fake in unit tests, HTTP in the app). */
export interface RefundWebhookSender {
  send(payload: RefundWebhookPayload, idempotencyKey: string, signal?: AbortSignal): Promise<DeliveryResult>;
}

/** An answer that also says the refund is paid (any other 2xx answer means "received"). */
const RefundedAnswer = z.object({
  status: z.literal('refunded'),
  reference: z.string().trim().min(1).max(200).optional().catch(undefined),
});

/** The most of an answer's body read (a receipt, not a document). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The merchant's refund webhook over HTTP: a JSON POST with the signature header and an
 * `Idempotency-Key` (one per case, the same on every attempt, so a retry after a lost answer is
 * recognised as a repeat), within `timeoutMs`. Redirects are not followed (a 3xx is a failure):
 * a signed refund goes where it was configured to go, or nowhere.
 */
export class HttpRefundWebhook implements RefundWebhookSender {
  readonly #url: string;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;

  constructor(options: { url: string; secret: string; timeoutMs: number; clock: Clock; fetch?: typeof fetch }) {
    const { url, secret, timeoutMs, clock } = options;
    if (!url || !secret || !clock || !(timeoutMs > 0)) throw new Error('HttpRefundWebhook: missing or invalid option');
    this.#url = url;
    this.#secret = secret;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(payload: RefundWebhookPayload, idempotencyKey: string, signal?: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(this.#clock.now().getTime() / 1000);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    try {
      const response = await this.#fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(this.#secret, timestamp, body),
          'user-agent': 'refundbot-webhook/1',
        },
        body,
        redirect: 'manual',
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      const text = await readCapped(response);
      if (response.status < 200 || response.status > 299) return { ok: false, status: response.status, error: `http_${response.status}` };
      const answer = RefundedAnswer.safeParse(parseJson(text));
      if (!answer.success) return { ok: true, status: response.status, refunded: false };
      return { ok: true, status: response.status, refunded: true, ...(answer.data.reference ? { reference: answer.data.reference } : {}) };
    } catch (error) {
      if (timeout.aborted) return { ok: false, error: 'timeout' };
      if (signal?.aborted) return { ok: false, error: 'stopped' };
      return { ok: false, error: networkError(error) };
    }
  }
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    text += decoder.decode(chunk, { stream: true });
    if (size >= MAX_ANSWER_BYTES) {
      await response.body.cancel().catch(() => undefined);
      break;
    }
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// undici wraps the socket's error: `fetch failed` with the cause's code (ECONNREFUSED, ECONNRESET…).
function networkError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.name : 'network_error';
}
