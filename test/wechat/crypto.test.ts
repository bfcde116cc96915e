import { describe, expect, it } from 'vitest';
import { aesKeyOf, WeChatCipher, wechatSignature } from '../../src/channels/wechat/crypto.ts';

// Vectors from WeChat's own documentation and Tencent's WXBizMsgCrypt samples (cryptoDemo.zip).
describe('WeChat signatures (official examples)', () => {
  it('message push signature: https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html (明文模式 example)', () => {
    expect(wechatSignature('AAAAA', '1714037059', '486452656')).toBe('899cf89e464efb63f54ddac96b0a0a235f53aa78');
  });

  it('URL verification signature: https://developers.weixin.qq.com/doc/oplatform/Website_App/WeChat_Login/message_push.md (1.2 发起验证 example)', () => {
    expect(wechatSignature('AAAAA', '1714036504', '1514711492')).toBe('f464b24fc39322e44b38aa78f5edd27bd1441696');
  });
});

describe('WeChat safe-mode AES (official sample vectors)', () => {
  const encodingAesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

  it('encrypts as the sample test does (WXBizMsgCryptTest.java: appId wxb11529c136998cb6, random "aaaabbbbccccdddd")', () => {
    const cipher = new WeChatCipher({ appId: 'wxb11529c136998cb6', encodingAesKeys: [encodingAesKey] });
    const encrypted = cipher.encrypt('我是中文abcd123', Buffer.from('aaaabbbbccccdddd'));
    expect(encrypted).toBe('jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==');
    expect(cipher.decrypt(encrypted)).toBe('我是中文abcd123');
  });

  it('verifies and decrypts the sample message (Sample.py: token spamtest, appId wx2c2769f8efd9abc2)', () => {
    const encrypt =
      'hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE=';
    expect(wechatSignature('spamtest', '1409735669', '1320562132', encrypt)).toBe('5d197aaffba7e9b25a30732f161a50dee96bd5fa');
    const cipher = new WeChatCipher({ appId: 'wx2c2769f8efd9abc2', encodingAesKeys: [encodingAesKey] });
    const xml = cipher.decrypt(encrypt);
    expect(xml).toContain('<MsgType><![CDATA[text]]></MsgType>');
    expect(xml).toContain('abcdteT');
  });

  it('refuses another AppId, and falls back to the previous key', () => {
    const old = new WeChatCipher({ appId: 'wxapp', encodingAesKeys: [encodingAesKey] });
    const rotated = new WeChatCipher({ appId: 'wxapp', encodingAesKeys: ['ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut', encodingAesKey] });
    expect(rotated.decrypt(old.encrypt('hello'))).toBe('hello');
    expect(() => new WeChatCipher({ appId: 'other', encodingAesKeys: [encodingAesKey] }).decrypt(old.encrypt('hello'))).toThrow();
    expect(() => aesKeyOf('short')).toThrow();
  });
});
