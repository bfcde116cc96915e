import { ConversationState, MemoryStorage, TestAdapter, TurnContext } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { conversationStateKey } from '../../src/bot/stateKey.ts';

describe('conversationStateKey', () => {
  it('is the key botbuilder ConversationState stores a conversation under', async () => {
    const storage = new MemoryStorage();
    const state = new ConversationState(storage);
    const context = new TurnContext(new TestAdapter(), { type: 'message', channelId: 'api', conversation: { id: 'c-1', isGroup: false, conversationType: 'personal', name: '' } });
    await state.createProperty<number>('n').set(context, 1);
    await state.saveChanges(context);
    const stored = await storage.read([conversationStateKey('api', 'c-1')]);
    expect(Object.keys(stored)).toEqual([conversationStateKey('api', 'c-1')]);
  });
});
