import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/refunds/webhook/signature.ts';
import { freePort } from '../support/process.ts';
import { ROOT } from '../support/server.ts';

const SECRET = 'whsec_0123456789abcdef0123456789abcdef';

/** The reference receiver run as the README says: `node server.mjs`, settings from the environment. */
describe('the reference merchant receiver as a program', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  async function run(env: Record<string, string>): Promise<string> {
    const port = await freePort();
    const child = spawn(process.execPath, ['examples/merchant-receiver/server.mjs'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), REFUND_WEBHOOK_SECRET: SECRET, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => String(chunk).includes('listening') && resolve());
      child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    });
    return `http://127.0.0.1:${port}/refunds`;
  }

  const deliver = (url: string, body: string, options: { key?: string; signature?: string; at?: number } = {}) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': options.key ?? 'RF-TEST22',
        'refundbot-signature': options.signature ?? signatureHeader(SECRET, options.at ?? Math.floor(Date.now() / 1000), body),
      },
      body,
    });

  it('pays once per Idempotency-Key, answers the same again, and refuses bad or stale signatures', async () => {
    const url = await run({ CONFIRM: 'answer' });
    const body = JSON.stringify({ event: 'refund.approved', caseId: 'RF-TEST22', amount: '309.00', amountMinor: 30900, currency: 'CNY' });
    const first = await deliver(url, body);
    expect(first.status).toBe(200);
    const paid = (await first.json()) as { status: string; reference: string };
    expect(paid).toEqual({ status: 'refunded', reference: expect.stringMatching(/^PAY-[0-9A-F]{12}$/) });
    const again = await deliver(url, body);
    expect(await again.json()).toEqual(paid);

    expect((await deliver(url, body, { signature: signatureHeader(`${SECRET}x`, Math.floor(Date.now() / 1000), body) })).status).toBe(401);
    expect((await deliver(url, body, { at: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401);
    expect((await deliver(url, body.replace('309.00', '3090.00'), { signature: signatureHeader(SECRET, Math.floor(Date.now() / 1000), body) })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', body })).status).toBe(401);
    expect((await fetch(url)).status).toBe(405);
    // Signed, but not a refund.
    expect((await deliver(url, '{"caseId":"RF-X"}')).status).toBe(400);
  });

  it('refuses to start without a proper secret', async () => {
    const child = spawn(process.execPath, ['examples/merchant-receiver/server.mjs'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', REFUND_WEBHOOK_SECRET: 'short' }, stdio: 'pipe' });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('at least 32 characters');
  });
});
