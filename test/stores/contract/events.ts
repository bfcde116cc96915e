import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { CurrentHarness } from './harness.ts';
import { watchNotices } from './turnKit.ts';

/** ConversationEvents: notices per conversation, to every listener, until it stops. */
export function eventsContract(current: CurrentHarness): void {
  const events = () => current().stores.events;

  it("tells every listener of a conversation, and only that conversation's", async () => {
    const first = watchNotices(events(), 'conv-1');
    const second = watchNotices(events(), 'conv-1');
    const other = watchNotices(events(), 'conv-2');
    try {
      await first.whenActive();
      await other.whenActive();
      // second shares conv-1's subscription, which the probes above proved live; reset its count.
      const secondBefore = second.count;
      const heard = Promise.all([first.next(2_000), second.next(2_000)]);
      await events().publish('conv-1');
      await heard;
      expect(second.count - secondBefore).toBeGreaterThanOrEqual(1);
      await sleep(20);
      expect(other.count).toBe(0);
    } finally {
      first.stop();
      second.stop();
      other.stop();
    }
  });

  it('stops telling a listener once it unsubscribed, without affecting the others', async () => {
    const leaving = watchNotices(events(), 'conv-1');
    const staying = watchNotices(events(), 'conv-1');
    try {
      await staying.whenActive();
      leaving.stop();
      const before = leaving.count;
      const heard = staying.next(2_000);
      await events().publish('conv-1');
      await heard;
      await sleep(20);
      expect(leaving.count).toBe(before);
    } finally {
      leaving.stop();
      staying.stop();
    }
  });

  it('publishes to a conversation nobody listens to without error', async () => {
    await expect(events().publish('nobody-listens')).resolves.toBeUndefined();
  });
}
