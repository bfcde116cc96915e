export { WeChatApi } from './api.ts';
export { WECHAT_CHANNEL, WeChatChannel, type WeChatChannelOptions } from './channel.ts';
export { WeChatCipher, wechatSignature } from './crypto.ts';
