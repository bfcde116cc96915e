import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('configuration', () => {
  it('accepts .env.example as it ships, with the documented defaults', () => {
    const example = parseEnv(readFileSync(path.join(ROOT, '.env.example'), 'utf8'));
    const config = loadConfig(example, ROOT);
    expect(config).toMatchObject({ PORT: 3978, REDIS_URL: undefined, SLACK_BOT_TOKEN: undefined, SLACK_API_URL: 'https://slack.com/api/', CONVERSATION_TTL_DAYS: 30 });
    expect(config.dataDir).toBe(path.join(ROOT, 'data'));
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' }, 'SLACK_AGENT_CHANNEL'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_AGENT_CHANNEL: 'C123' }, 'SLACK_SIGNING_SECRET'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_AGENT_CHANNEL: '#refunds', SLACK_SIGNING_SECRET: 's' }, 'SLACK_AGENT_CHANNEL'],
    [{ ORDERS_API_URL: 'ftp://shop.example/api' }, 'ORDERS_API_URL'],
    [{ ORDERS_API_URL: 'https://shop.example/api', ORDERS_FILE: 'orders.json' }, 'ORDERS_FILE'],
    [{ ORDERS_API_TOKEN: 'secret-token' }, 'ORDERS_API_URL'],
    [{ ORDERS_API_URL: 'https://shop.example/api', ORDERS_API_TIMEOUT_MS: '5' }, 'ORDERS_API_TIMEOUT_MS'],
  ])('stops on %j naming %s', (env, name) => {
    expect(() => loadConfig(env, ROOT)).toThrow(name);
  });

  it('takes the order API with its defaults (3 s per try, 2 retries, 30 s cache)', () => {
    const config = loadConfig({ ORDERS_API_URL: 'https://shop.example/api', ORDERS_API_TOKEN: 'secret-token' }, ROOT);
    expect(config).toMatchObject({ ORDERS_API_URL: 'https://shop.example/api', ORDERS_API_TOKEN: 'secret-token', ORDERS_API_TIMEOUT_MS: 3000, ORDERS_API_RETRIES: 2, ORDERS_API_CACHE_SECONDS: 30 });
  });
});
