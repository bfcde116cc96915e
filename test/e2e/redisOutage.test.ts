import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcedCase, Customer } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { type BinProcess, freePort, killAllSpawned, runBin, spawnBin, waitForHealth } from '../support/process.ts';
import { ADMIN_TOKEN } from '../support/server.ts';

/**
 * The app against a Redis of the test's own (with an append-only file, as production should
 * run it): Redis unreachable at start, lost while running, and restarted with its data.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'refundbot-redis-outage-'));
let redisPort = 0;
let redis: ChildProcess | undefined;
let app: BinProcess;
let url = '';

function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], { stdio: 'ignore' });
  return waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(redisPort, '127.0.0.1');
        socket.once('connect', () => {
          socket.end();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    10_000,
    'redis-server to listen',
  );
}

async function stopRedis(): Promise<void> {
  if (!redis || redis.exitCode !== null) return;
  const exited = new Promise((resolve) => redis?.once('exit', resolve));
  redis.kill('SIGKILL');
  await exited;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const health = async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.status;

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  app = spawnBin(['serve'], { env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${redisPort}`, ADMIN_TOKEN, LOG_LEVEL: 'warn' } });
  await waitForHealth(url, app, 30_000);
}, 60_000);

afterAll(async () => {
  await killAllSpawned();
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis outages', () => {
  it('stops at start-up with a message naming REDIS_URL when Redis is unreachable', async () => {
    const closed = await freePort();
    const result = await runBin(['serve'], { env: { PORT: String(await freePort()), HOST: '127.0.0.1', DATA_DIR: dir, REDIS_URL: `redis://127.0.0.1:${closed}`, LOG_LEVEL: 'warn' }, timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('REDIS_URL');
  });

  it('answers 503 while Redis is down, recovers by itself, and loses no case across a Redis restart', async () => {
    const customer = new Customer(url);
    await customer.start('en');
    const { summary } = await driveRefund(customer, 'en', 'I want to cancel order 100101, I changed my mind', { identity: 'lilei@example.com', category: 'changed_mind' });
    expect(summary.status).toBe('approved');

    await stopRedis();
    await waitFor(async () => (await health()) === 503, 10_000, '/healthz to answer 503');
    const failed = await customer.post({ type: 'message', text: 'where is my refund?' });
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: { code: 'store_unavailable' } });

    await startRedis();
    await waitFor(async () => (await health()) === 200, 20_000, '/healthz to recover');
    const kept = await fetch(`${url}/v1/cases/${summary.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(kept.status).toBe(200);
    expect(await kept.json()).toMatchObject({ id: summary.id, status: 'approved' });
    // The conversation goes on where it was.
    const replies = await customer.say(`status of ${summary.id}`);
    expect(announcedCase(replies) ?? replies.at(-1)?.channelData?.case).toMatchObject({ id: summary.id });
  });
});
