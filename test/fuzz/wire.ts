import { connect } from 'node:net';

/** One generated request. `raw` requests go over a socket byte for byte (what fetch refuses to send). */
export interface FuzzRequest {
  /** Which door it knocks on, for the per-endpoint figures. */
  endpoint: string;
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole request as bytes (request line, headers, body), sent as is. */
  raw?: Buffer;
  /** Half-close the connection after a raw request: its headers promise more body than it has, so the server waits for the end. */
  halfClose?: boolean;
  /** A server-sent event stream: read the status and headers, then hang up. */
  stream?: boolean;
  /** How long to wait for the answer (default 15 s; bodies of tens of MB take longer). */
  timeoutMs?: number;
}

/** What came back: a status, or no answer at all (the server closed the connection, or never answered). */
export interface Outcome {
  status: number | 'closed' | 'timeout';
  /** Every status seen on the connection (a smuggled second request answers too). */
  statuses: number[];
  /** The start of the answer's body, for reports and leak checks. */
  body: string;
  contentType: string;
}

const BODY_SAMPLE = 2000;

/** Sends one request and reads its answer (at most `timeoutMs`). */
export async function send(base: string, request: FuzzRequest, timeoutMs = request.timeoutMs ?? 15_000): Promise<Outcome> {
  return request.raw ? sendRaw(base, request.raw, request.halfClose ?? false, timeoutMs) : sendFetch(base, request, timeoutMs);
}

async function sendFetch(base: string, request: FuzzRequest, timeoutMs: number): Promise<Outcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(`${base}${request.path}`, {
      method: request.method,
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      redirect: 'manual',
      signal: controller.signal,
    });
    const contentType = response.headers.get('content-type') ?? '';
    let body = '';
    if (request.stream && response.status === 200) {
      // A live stream never ends by itself: the status and headers are the answer.
      controller.abort();
    } else {
      body = (await response.text()).slice(0, BODY_SAMPLE);
    }
    return { status: response.status, statuses: [response.status], body, contentType };
  } catch (error) {
    if (controller.signal.aborted) return { status: 'timeout', statuses: [], body: '', contentType: '' };
    // The server hung up (a body over the limit may be cut short, as Node does).
    return { status: 'closed', statuses: [], body: String((error as Error).cause ?? error).slice(0, 200), contentType: '' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes `bytes` to the server's socket and collects everything it answers until it closes the
 * connection (every raw request says `Connection: close`). Half-closing right away would let
 * the server drop the answer of a request it did carry out, so only `halfClose` requests do.
 */
function sendRaw(base: string, bytes: Buffer, halfClose: boolean, timeoutMs: number): Promise<Outcome> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3})/g)].map((match) => Number(match[1]))
        // An interim answer (100 Continue) is not the answer.
        .filter((status) => status >= 200);
      const first = statuses[0];
      const headerEnd = text.indexOf('\r\n\r\n');
      const contentType = /\r\ncontent-type: *([^\r\n]*)/i.exec(text.slice(0, headerEnd))?.[1] ?? '';
      resolve({
        status: first ?? (timedOut ? 'timeout' : 'closed'),
        statuses,
        body: headerEnd >= 0 ? text.slice(headerEnd + 4, headerEnd + 4 + BODY_SAMPLE) : '',
        contentType,
      });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('connect', () => {
      socket.write(bytes);
      if (halfClose) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      // Only the beginning matters; a huge answer is not kept.
      if (size < 64 * 1024) chunks.push(chunk);
      size += chunk.length;
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}

/** A raw HTTP/1.1 request: request line, header lines (as given, duplicates allowed) and body. */
export function rawRequest(method: string, path: string, headerLines: string[], body: Buffer | string = Buffer.alloc(0)): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, ...headerLines].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]);
}
