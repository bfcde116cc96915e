import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../examples/merchant-receiver/server.mjs';

/** 32+ characters, as REFUND_WEBHOOK_SECRET must be. */
export const WEBHOOK_SECRET = 'test-refund-webhook-secret-0123456789abcdef';

/**
 * What the stand-in does with one request before (or instead of) the reference receiver:
 * - `pass`: the reference receiver handles it;
 * - `fail`: answers 503 without handling it (the shop is down);
 * - `drop`: the reference receiver handles it (the refund is paid), then the connection is cut
 *   before the answer goes out (the answer is lost on the way back);
 * - `hang`: never answers (until the stand-in closes).
 */
export type Behaviour = 'pass' | 'fail' | 'drop' | 'hang';

/** One request as it arrived: exact headers and raw body, for signature checks. */
export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
  behaviour: Behaviour;
}

/**
 * The merchant's side in tests: the reference receiver of examples/merchant-receiver on a free
 * port, behind a script of faults (`behaviours`, one per request in order, then `pass`), recording
 * every request it got.
 */
export class MerchantStandIn {
  receiver: Receiver;
  readonly #options: ReceiverOptions;
  readonly requests: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #behaviours: Behaviour[];
  url = '';

  constructor(options: Partial<ReceiverOptions> & { behaviours?: Behaviour[] } = {}) {
    const { behaviours = [], ...receiverOptions } = options;
    this.#behaviours = [...behaviours];
    this.#options = { secret: WEBHOOK_SECRET, confirm: 'none', log: () => undefined, callbackRetryMs: 50, ...receiverOptions };
    this.receiver = createReceiver(this.#options);
    this.#server = createServer((req, res) => {
      const behaviour = this.#behaviours.shift() ?? 'pass';
      const chunks: Buffer[] = [];
      // The body is read here for the record and replayed to the receiver as the request it got.
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        this.requests.push({ headers: req.headers, body: body.toString('utf8'), behaviour });
        if (behaviour === 'hang') return;
        if (behaviour === 'fail') {
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down for maintenance"}');
          return;
        }
        if (behaviour === 'drop') {
          res.writeHead = (() => res) as typeof res.writeHead;
          res.end = (() => {
            req.socket.destroy();
            return res;
          }) as typeof res.end;
        }
        const replay = Object.assign(Readable.from([body]), { method: req.method, headers: req.headers, url: req.url });
        this.receiver.handle(replay as unknown as IncomingMessage, res);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/refunds`;
    return this.url;
  }

  /**
   * Makes the receiver confirm each refund by calling the assistant back (CONFIRM=callback), once
   * the assistant's address is known (it is started after this stand-in, whose URL it needs).
   */
  confirmTo(assistantUrl: string, adminToken: string): void {
    this.receiver = createReceiver({ ...this.#options, confirm: 'callback', assistantUrl, adminToken });
  }

  /** Requests for one case, in order. */
  requestsFor(caseId: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.body.includes(`"caseId":"${caseId}"`));
  }

  /** Refunds the reference receiver paid for one case (one per Idempotency-Key). */
  refundsFor(caseId: string) {
    return this.receiver.refunds().filter((refund) => refund.caseId === caseId);
  }

  async close(): Promise<void> {
    await this.receiver.idle();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
