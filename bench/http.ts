import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type { LoadReply, LoadRequest } from './loadWorker.ts';

/** Latency summary of one load run. */
export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: string[];
}

/** Runs a load in a worker thread (see loadWorker.ts) and summarises it. */
export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const worker = new Worker(new URL('./loadWorker.ts', import.meta.url), { workerData: request });
  const reply = await new Promise<LoadReply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  const sorted = [...reply.latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { requests: sorted.length, seconds: reply.seconds, perSecond: sorted.length / reply.seconds, p50Ms: at(0.5), p99Ms: at(0.99), errors: reply.errors };
}

/** A bare node:http server answering a small JSON body: the floor any HTTP API pays. */
export async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ activities: [{ type: 'message', text: 'ok', received: Buffer.concat(chunks).length }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
