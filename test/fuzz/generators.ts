/** Every fuzz generator, the seeded plan picker, and the over-the-limit bodies. */
import fc from 'fast-check';
import type { FuzzTarget } from './target.ts';
import { bearer, JSON_TYPE, type FuzzCase, type Generator, type Plan } from './blocks.ts';
import { conversationMessage, conversationReads, conversationStart, conversationUpload } from './customerRequests.ts';
import { botframework, slack, wechat } from './channelRequests.ts';
import { orderAnswers, staff } from './staffRequests.ts';
import { methodsAndTypes, wire } from './wireRequests.ts';

export type { FuzzCase, Generator, Plan } from './blocks.ts';


/** Every generator, by endpoint. */
export const GENERATORS: readonly Generator[] = [conversationStart, conversationMessage, conversationUpload, conversationReads, slack, wechat, botframework, staff, orderAnswers, methodsAndTypes, wire];

/** One plan per step, picked by weight, reproducible from `seed`. */
export function planAt(seed: number, index: number, generators: readonly Generator[] = GENERATORS): Plan {
  const all = fc.oneof(...generators.map((generator) => ({ weight: generator.weight, arbitrary: generator.plans })));
  const [plan] = fc.sample(all, { numRuns: 1, seed: seed + index });
  if (!plan) throw new Error('fast-check produced no plan');
  return plan;
}

/**
 * Requests with bodies at and over each body limit, built only when sent: `limits` just over each
 * (the server's 70 MiB, WeChat's 1 MiB, Slack's 10 MiB), `all` also a text and five files that
 * fit the server's limit but not their own (over 100 MB sent in all: for `npm run fuzz`).
 */
export function hugeBodies(t: FuzzTarget, which: 'limits' | 'all'): (() => FuzzCase)[] {
  const { conversationId, token } = t.fixtures;
  const post = (endpoint: string, path: string, headers: Record<string, string>, body: () => Buffer) => (): FuzzCase => ({ request: { endpoint, method: 'POST', path, headers, body: body(), timeoutMs: 120_000 } });
  const conversation = `/v1/conversations/${conversationId}/activities`;
  const auth = { ...JSON_TYPE, ...bearer(token) };
  const bigFile = () => ({ contentType: 'image/jpeg', name: 'big.jpg', contentUrl: `data:image/jpeg;base64,${Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64')}` });
  const limits = [
    post('conversation.message', conversation, auth, () => Buffer.alloc(70 * 1024 * 1024 + 1, 0x20)),
    post('wechat.unsigned', '/wechat?signature=x&timestamp=1&nonce=1', { 'content-type': 'text/xml' }, () => Buffer.alloc(1024 * 1024 + 1, 0x41)),
    post('slack.unsigned', '/slack/events', JSON_TYPE, () => Buffer.alloc(10 * 1024 * 1024 + 1, 0x20)),
  ];
  if (which === 'limits') return limits;
  return [
    ...limits,
    post('conversation.message', conversation, auth, () => Buffer.from(JSON.stringify({ type: 'message', text: 'a'.repeat(60 * 1024 * 1024) }))),
    post('conversation.upload', conversation, auth, () => Buffer.from(JSON.stringify({ type: 'message', attachments: Array.from({ length: 5 }, bigFile) }))),
    post('botframework', '/api/messages', JSON_TYPE, () => Buffer.alloc(70 * 1024 * 1024 + 1, 0x20)),
  ];
}
