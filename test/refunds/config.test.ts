import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'whsec_0123456789abcdef0123456789abcdef';

describe('refund webhook settings', () => {
  it('are off by default, with a 10 s attempt timeout', () => {
    const config = loadConfig({}, ROOT);
    expect(config.REFUND_WEBHOOK_URL).toBeUndefined();
    expect(config.REFUND_WEBHOOK_SECRET).toBeUndefined();
    expect(config.REFUND_WEBHOOK_TIMEOUT_MS).toBe(10_000);
  });

  it('are accepted together', () => {
    const config = loadConfig({ REFUND_WEBHOOK_URL: 'https://shop.example/refunds', REFUND_WEBHOOK_SECRET: SECRET, REFUND_WEBHOOK_TIMEOUT_MS: '2500' }, ROOT);
    expect(config).toMatchObject({ REFUND_WEBHOOK_URL: 'https://shop.example/refunds', REFUND_WEBHOOK_SECRET: SECRET, REFUND_WEBHOOK_TIMEOUT_MS: 2500 });
  });

  it.each([
    [{ REFUND_WEBHOOK_URL: 'https://shop.example/refunds' }, /REFUND_WEBHOOK_SECRET: required for the refund webhook/],
    [{ REFUND_WEBHOOK_SECRET: SECRET }, /REFUND_WEBHOOK_URL: required for the refund webhook/],
    [{ REFUND_WEBHOOK_URL: 'https://shop.example/refunds', REFUND_WEBHOOK_SECRET: 'too-short' }, /REFUND_WEBHOOK_SECRET: must be at least 32 characters/],
    [{ REFUND_WEBHOOK_URL: 'ftp://shop.example/refunds', REFUND_WEBHOOK_SECRET: SECRET }, /REFUND_WEBHOOK_URL/],
    [{ REFUND_WEBHOOK_URL: 'https://hook:pw@shop.example/refunds', REFUND_WEBHOOK_SECRET: SECRET }, /REFUND_WEBHOOK_URL: must not contain a user name or password/],
    [{ REFUND_WEBHOOK_URL: 'https://shop.example/refunds', REFUND_WEBHOOK_SECRET: SECRET, REFUND_WEBHOOK_TIMEOUT_MS: '50' }, /REFUND_WEBHOOK_TIMEOUT_MS/],
  ])('stop start-up on %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env, ROOT)).toThrow(message);
  });

  it('no longer count as "not supported yet"', () => {
    expect(() => loadConfig({ REFUND_WEBHOOK_URL: 'http://127.0.0.1:4000/refunds', REFUND_WEBHOOK_SECRET: SECRET }, ROOT)).not.toThrow();
  });
});
