export { externalIdOf, InboundActivity, isLoopbackUrl, localeOf, messageText } from './activity.ts';
export { AttachmentFetcher, hostAccess, inboundFiles } from './attachments.ts';
export { BOTFRAMEWORK_CHANNEL, BotFrameworkChannel, type BotFrameworkChannelOptions } from './channel.ts';
export { BotFrameworkConnector, type BotFrameworkCredentials, type MicrosoftAppType } from './connector.ts';
export { ConversationReferences } from './references.ts';
export { toBotFrameworkMessage } from './replies.ts';
