import { expect, it } from 'vitest';
import type { StoreHarness } from './harness.ts';

/** DeskStore: the agent desk's index of conversations with people and of their threads. */
export function deskContract(current: () => StoreHarness): void {
  const desk = () => current().stores.desk;

  it('lists open conversations in hand-over order; updating keeps the place, closing removes', async () => {
    await desk().putOpen('conv-a', { reason: 'dispute' });
    await current().elapse(5);
    await desk().putOpen('conv-b', { reason: 'customer_request' });
    await current().elapse(5);
    await desk().putOpen('conv-a', { reason: 'dispute', agent: { id: 'U1', name: 'Wang' } });
    expect(await desk().listOpen()).toEqual([
      { conversationId: 'conv-a', entry: { reason: 'dispute', agent: { id: 'U1', name: 'Wang' } } },
      { conversationId: 'conv-b', entry: { reason: 'customer_request' } },
    ]);
    expect(await desk().getOpen('conv-b')).toEqual({ reason: 'customer_request' });
    expect(await desk().getOpen('conv-unknown')).toBeUndefined();
    await desk().close('conv-a');
    expect(await desk().getOpen('conv-a')).toBeUndefined();
    await desk().close('conv-unknown');
    expect((await desk().listOpen()).map((open) => open.conversationId)).toEqual(['conv-b']);
  });

  it('maps a conversation to its thread and back', async () => {
    expect(await desk().thread('conv-a')).toBeUndefined();
    await desk().setThread('conv-a', { channel: 'C1', ts: '1700000000.000100' });
    expect(await desk().thread('conv-a')).toEqual({ channel: 'C1', ts: '1700000000.000100' });
    expect(await desk().conversationOfThread({ channel: 'C1', ts: '1700000000.000100' })).toBe('conv-a');
    expect(await desk().conversationOfThread({ channel: 'C2', ts: '1700000000.000100' })).toBeUndefined();
  });
}
