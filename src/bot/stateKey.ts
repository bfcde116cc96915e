/**
 * The storage key of a conversation's state, as botbuilder's ConversationState computes it
 * (`${channelId}/conversations/${conversationId}/${namespace}`, namespace empty). The turn store
 * reads this item before the turn starts; a test checks the two agree.
 */
export function conversationStateKey(channelId: string, conversationId: string): string {
  return `${channelId}/conversations/${conversationId}/`;
}
