/**
 * The load generator, in its own thread so that it does not compete with the server's event
 * loop for one core: holds `conversations` conversations concurrently, each sending its script
 * one turn after another, and reports every turn's latency.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadRequest {
  /** Base URLs; conversation i uses urls[i % urls.length] for its turns. */
  urls: string[];
  /** One script per conversation; each entry is one turn's request. */
  conversations: { conversationId: string; token: string; turns: { path: string; body: string }[] }[];
  /** Bare mode: POST to `${url}${path}` with no auth (for the node:http floor). */
  bare?: boolean;
}

export interface LoadReply {
  latenciesMs: number[];
  seconds: number;
  errors: string[];
}

const request = workerData as LoadRequest;
// Warm up the client (connections, JIT) so the first timed requests are not the slowest.
for (const base of request.urls) {
  for (let index = 0; index < 50; index++) await (await fetch(`${base}/healthz`)).arrayBuffer();
}
const latencies: number[] = [];
const errors: string[] = [];
const started = performance.now();
await Promise.all(
  request.conversations.map(async (conversation, index) => {
    const base = request.urls[index % request.urls.length];
    for (const turn of conversation.turns) {
      const t0 = performance.now();
      const response = await fetch(`${base}${turn.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(request.bare ? {} : { authorization: `Bearer ${conversation.token}` }) },
        body: turn.body,
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (response.status !== 200) errors.push(`${response.status} on ${turn.path}`);
    }
  }),
);
parentPort?.postMessage({ latenciesMs: latencies, seconds: (performance.now() - started) / 1000, errors } satisfies LoadReply);
