import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A local stand-in for Slack's Socket Mode service: the WebSocket URL that
 * `apps.connections.open` hands out. It speaks just enough RFC 6455 (handshake, unmasked text
 * frames out, masked frames in, ping → pong, close) to greet the app with `hello` and push
 * envelopes (`events_api`, `interactive`) the way Slack does, and it collects the app's acks.
 * https://docs.slack.dev/apis/events-api/using-socket-mode
 */
export interface SocketModeStandIn {
  /** The `wss://` URL apps.connections.open answers (here ws://127.0.0.1). */
  url: string;
  /** Resolves once an app has connected and been greeted. */
  connected(): Promise<void>;
  /** Pushes an envelope and resolves with the app's ack (`{ envelope_id, payload? }`). */
  push(type: 'events_api' | 'interactive', payload: unknown, options?: { retryAttempt?: number; retryReason?: string }): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export async function startSocketModeStandIn(): Promise<SocketModeStandIn> {
  let socket: Duplex | undefined;
  let greeted: () => void = () => undefined;
  const hello = new Promise<void>((resolve) => (greeted = resolve));
  const waiting = new Map<string, (ack: Record<string, unknown>) => void>();
  const server = createServer((_request, response) => {
    response.writeHead(426);
    response.end();
  });

  server.on('upgrade', (request: IncomingMessage, upgraded: Duplex) => {
    const key = String(request.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    upgraded.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket = upgraded;
    let buffered = Buffer.alloc(0);
    upgraded.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let frame = readFrame(buffered); frame; frame = readFrame(buffered)) {
        buffered = buffered.subarray(frame.length);
        if (frame.opcode === 0x1) {
          const message = JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>;
          const resolve = waiting.get(String(message.envelope_id));
          waiting.delete(String(message.envelope_id));
          resolve?.(message);
        } else if (frame.opcode === 0x9) upgraded.write(encodeFrame(0xa, frame.payload));
        else if (frame.opcode === 0x8) {
          upgraded.write(encodeFrame(0x8, frame.payload));
          upgraded.end();
        }
      }
    });
    upgraded.on('error', () => undefined);
    upgraded.write(
      encodeFrame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-standin', build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: 'A0001DESK' } }))),
    );
    greeted();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=A0001DESK`,
    connected: () => hello,
    push(type, payload, options = {}) {
      if (!socket) return Promise.reject(new Error('no app connected'));
      const envelopeId = randomUUID();
      const acked = new Promise<Record<string, unknown>>((resolve) => waiting.set(envelopeId, resolve));
      const envelope = {
        envelope_id: envelopeId,
        payload,
        type,
        accepts_response_payload: type === 'interactive',
        ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
      };
      socket.write(encodeFrame(0x1, Buffer.from(JSON.stringify(envelope))));
      return acked;
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server frame: never masked. */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  if (length >= 126 && length < 65_536) {
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else if (length >= 65_536) {
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** One complete client frame at the start of `buffer` (clients always mask), or undefined. */
function readFrame(buffer: Buffer): { opcode: number; payload: Buffer; length: number } | undefined {
  if (buffer.length < 2) return undefined;
  const opcode = (buffer[0] ?? 0) & 0x0f;
  const masked = ((buffer[1] ?? 0) & 0x80) !== 0;
  let length = (buffer[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskLength = masked ? 4 : 0;
  if (buffer.length < offset + maskLength + length) return undefined;
  const mask = buffer.subarray(offset, offset + maskLength);
  const payload = Buffer.from(buffer.subarray(offset + maskLength, offset + maskLength + length));
  if (masked) for (let index = 0; index < payload.length; index += 1) payload[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
  return { opcode, payload, length: offset + maskLength + length };
}
