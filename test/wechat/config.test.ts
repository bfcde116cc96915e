import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const BASE = { WECHAT_TOKEN: 't', WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 's' };

describe('WeChat settings', () => {
  it('are off by default, with the official API base URL', () => {
    const config = loadConfig({});
    expect(config.WECHAT_TOKEN).toBeUndefined();
    expect(config.WECHAT_API_BASE_URL).toBe('https://api.weixin.qq.com');
  });

  it('need the token, AppID and AppSecret together, naming what is missing', () => {
    expect(loadConfig(BASE).WECHAT_APP_ID).toBe('wx1');
    expect(() => loadConfig({ WECHAT_TOKEN: 't' })).toThrow(/WECHAT_APP_ID, WECHAT_APP_SECRET: required for the WeChat channel/);
    expect(() => loadConfig({ WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' })).toThrow(/WECHAT_TOKEN/);
  });

  it('name a bad EncodingAESKey, and a previous key without a current one', () => {
    expect(() => loadConfig({ ...BASE, WECHAT_ENCODING_AES_KEY: 'too-short' })).toThrow(/WECHAT_ENCODING_AES_KEY: must be the 43-character EncodingAESKey/);
    expect(() => loadConfig({ ...BASE, WECHAT_ENCODING_AES_KEY_PREVIOUS: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' })).toThrow(/WECHAT_ENCODING_AES_KEY: required/);
    expect(loadConfig({ ...BASE, WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' }).WECHAT_ENCODING_AES_KEY).toHaveLength(43);
  });
});
