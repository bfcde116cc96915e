import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('weekly digest settings', () => {
  it('are on, in Shanghai time, by default and as .env.example ships them', () => {
    expect(loadConfig({}, ROOT)).toMatchObject({ DIGEST_ENABLED: true, DIGEST_TIME_ZONE: 'Asia/Shanghai' });
    const example = parseEnv(readFileSync(path.join(ROOT, '.env.example'), 'utf8'));
    expect(example).toMatchObject({ DIGEST_ENABLED: 'true', DIGEST_TIME_ZONE: 'Asia/Shanghai' });
    expect(loadConfig(example, ROOT)).toMatchObject({ DIGEST_ENABLED: true, DIGEST_TIME_ZONE: 'Asia/Shanghai' });
  });

  it('take another zone, and can be turned off', () => {
    expect(loadConfig({ DIGEST_TIME_ZONE: 'Europe/Berlin', DIGEST_ENABLED: 'false' }, ROOT)).toMatchObject({ DIGEST_ENABLED: false, DIGEST_TIME_ZONE: 'Europe/Berlin' });
    expect(loadConfig({ DIGEST_ENABLED: '0', DIGEST_TIME_ZONE: '' }, ROOT)).toMatchObject({ DIGEST_ENABLED: false, DIGEST_TIME_ZONE: 'Asia/Shanghai' });
  });

  it.each([
    [{ DIGEST_TIME_ZONE: 'Asia/Shangai' }, 'DIGEST_TIME_ZONE'],
    [{ DIGEST_TIME_ZONE: 'Mars/Olympus_Mons' }, 'DIGEST_TIME_ZONE'],
    [{ DIGEST_ENABLED: 'yes' }, 'DIGEST_ENABLED'],
  ])('stop start-up on %j naming %s', (env, name) => {
    expect(() => loadConfig(env, ROOT)).toThrow(name);
  });
});
