import { describe, expect, it } from 'vitest';
import { summarizeTurn } from '../../src/bot/turnSummary.ts';
import type { ConversationRecord } from '../../src/stores/ports.ts';

const record: ConversationRecord = { id: 'conv-1', tokenHash: 'a'.repeat(64), channel: 'wechat', locale: 'zh-CN', createdAt: new Date('2026-11-20T12:00:00Z') };
const at = new Date('2026-11-20T12:05:00Z');
const user = (text: string) => ({ type: 'message', from: { role: 'user' }, text });
const bot = (channelData?: Record<string, unknown>, locale = 'zh-TW') => ({ type: 'message', from: { role: 'bot' }, text: '…', locale, ...(channelData ? { channelData } : {}) });
const agentMessage = { type: 'message', from: { role: 'agent', name: 'Wang' }, text: 'hello', channelData: { awaiting: 'never-from-an-agent' } };

describe('what a turn adds to its conversation summary', () => {
  it('counts the customer’s messages and keeps the question of the assistant’s last reply', () => {
    expect(summarizeTurn({ record, at, transcript: [user('退款'), bot({ awaiting: 'orderId' }), bot({ awaiting: 'identity' })], notes: {} })).toEqual({
      channel: 'wechat',
      locale: 'zh-TW',
      startedAt: record.createdAt,
      at,
      customerTurns: 1,
      awaiting: 'identity',
      handedToPeople: false,
      hasCase: false,
    });
  });

  it('records that the last reply asks nothing, a case was shown, the conversation went to people', () => {
    const summary = summarizeTurn({ record, at, transcript: [user('yes'), bot({ case: { id: 'RF-1' }, awaiting: 'csat' }), bot()], notes: { handedToPeople: true } });
    expect(summary).toMatchObject({ customerTurns: 1, awaiting: null, hasCase: true, handedToPeople: true });
  });

  it('leaves the question alone when only a person spoke, and skips a turn that wrote nothing', () => {
    const summary = summarizeTurn({ record, at, transcript: [agentMessage], notes: {} });
    expect(summary).toMatchObject({ customerTurns: 0, locale: 'zh-CN' });
    expect(summary && 'awaiting' in summary).toBe(false);
    expect(summarizeTurn({ record, at, transcript: [], notes: {} })).toBeUndefined();
    expect(summarizeTurn({ record, at, transcript: [], notes: { handedToPeople: true } })).toMatchObject({ handedToPeople: true, customerTurns: 0 });
  });
});
