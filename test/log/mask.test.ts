import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { maskPii } from '../../src/log/mask.ts';

describe('maskPii', () => {
  it.each([
    ['mail lilei@example.com please', 'lilei@example.com'],
    ['call +86 138 0000 0000', '138 0000 0000'],
    ['手机13800001234', '13800001234'],
    ['card 4111 1111 1111 1111', '4111 1111 1111 1111'],
    ['card 4111111111111111', '4111111111111111'],
    ['(555) 123-4567', '123-4567'],
  ])('masks %s', (text, secret) => {
    expect(maskPii(text)).not.toContain(secret);
  });
  it('keeps order numbers and case ids readable', () => {
    expect(maskPii('order 100234 case RF-7K2M9Q')).toBe('order 100234 case RF-7K2M9Q');
  });
});

describe('logger', () => {
  it('never writes an email or phone in clear', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    const log = createLogger({ level: 'info', destination: sink });
    log.info({ text: 'I am lilei@example.com', nested: { phone: '+8613800000000' } }, 'from bob@example.org');
    await new Promise((resolve) => setImmediate(resolve));
    const out = lines.join('');
    expect(out).toContain('"level":30');
    expect(out).not.toMatch(/lilei@example\.com|bob@example\.org|13800000000/);
  });
});
