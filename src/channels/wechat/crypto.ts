import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's message signatures and "safe mode" body encryption, as in the official
 * WXBizMsgCrypt samples.
 * https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html
 */

/** sha1 of the parts sorted as strings and joined: `signature` (token, timestamp, nonce) and `msg_signature` (+ Encrypt). */
export function wechatSignature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function sameSignature(received: string | undefined, expected: string): boolean {
  if (!received) return false;
  const a = Buffer.from(received.toLowerCase(), 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 32-byte AES key of a 43-character EncodingAESKey (base64 without its trailing '='). */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new TypeError('EncodingAESKey must be 43 characters of base64');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new TypeError('EncodingAESKey must decode to 32 bytes');
  return key;
}

// WeChat pads to 32-byte blocks (not AES's 16), so Node's own PKCS#7 padding is turned off.
const BLOCK = 32;

export class WeChatCipher {
  readonly #keys: Buffer[];
  readonly #appId: string;

  /** `keys`: the current EncodingAESKey first, then a previous one still accepted while WeChat switches over. */
  constructor(options: { appId: string; encodingAesKeys: string[] }) {
    if (options.encodingAesKeys.length === 0) throw new TypeError('WeChatCipher: at least one EncodingAESKey');
    this.#keys = options.encodingAesKeys.map(aesKeyOf);
    this.#appId = options.appId;
  }

  /** base64(AES-256-CBC(16 random bytes + 4-byte big-endian length + message + AppId)), IV = first 16 key bytes. */
  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.#appId, 'utf8')]);
    const pad = BLOCK - (plain.length % BLOCK);
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
    const key = this.#keys[0] as Buffer;
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
  }

  /** The message inside `encrypted`, trying the current key then the previous one; throws if none yields our AppId. */
  decrypt(encrypted: string): string {
    const data = Buffer.from(encrypted, 'base64');
    for (const key of this.#keys) {
      const message = this.#open(data, key);
      if (message !== undefined) return message;
    }
    throw new Error('WeChat message does not decrypt with our EncodingAESKey and AppId');
  }

  #open(data: Buffer, key: Buffer): string | undefined {
    if (data.length === 0 || data.length % 16 !== 0) return undefined;
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      return undefined;
    }
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || pad > plain.length) return undefined;
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < 20) return undefined;
    const length = content.readUInt32BE(16);
    if (20 + length > content.length) return undefined;
    const appId = content.subarray(20 + length).toString('utf8');
    // A wrong key yields garbage; the AppId check tells it apart (and refuses another account's messages).
    if (appId !== this.#appId) return undefined;
    return content.subarray(20, 20 + length).toString('utf8');
  }
}
