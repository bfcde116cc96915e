import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Attachment, announcedCase, awaiting, type BotActivity, Customer, jpegAttachment } from '../support/client.ts';
import { prompts } from '../support/drive.ts';
import { type BinProcess, freePort, killAllSpawned, spawnBin, waitForHealth } from '../support/process.ts';
import { ADMIN_TOKEN } from '../support/server.ts';

/**
 * A real `refundbot serve` process on the real clock (the demo orders move their dates to today
 * by whole days), killed with SIGKILL in the middle of a refund conversation and started again
 * on the same data folder: the conversation goes on where it was.
 */
describe('a conversation survives a crash of the server process', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await killAllSpawned();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function serve(dataDir: string, port: number): Promise<{ run: BinProcess; url: string }> {
    const run = spawnBin(['serve'], { env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ADMIN_TOKEN } });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, run, 25_000);
    return { run, url };
  }

  it('SIGKILL while the assistant waits for the reason; a new process continues the same conversation to a case', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-restart-'));
    dirs.push(dataDir);
    const port = await freePort();

    // First process: half a refund conversation.
    const first = await serve(dataDir, port);
    const customer = new Customer(first.url);
    const greeting = await customer.start('en');
    expect(greeting.length).toBeGreaterThan(0);
    expect(awaiting(await customer.say('I want a refund for order 100126'))).toBe('identity');
    const asked = await customer.say('linyijun@example.com');
    expect(awaiting(asked)).toBe('reason');
    const before = await customer.history(0);
    expect(before.activities.filter((activity) => activity.from.role === 'user').map((activity) => activity.text)).toEqual([
      'I want a refund for order 100126',
      'linyijun@example.com',
    ]);

    // Crash: no clean shutdown.
    expect(first.run.child.kill('SIGKILL')).toBe(true);
    expect(await first.run.exited).toMatchObject({ signal: 'SIGKILL' });
    await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();

    // Second process on the same data folder (and port): same conversation, same token.
    const second = await serve(dataDir, port);
    const after = await customer.history(0);
    expect(after).toEqual(before);

    // The reason is taken where the conversation was; the next question is proof or confirmation.
    let replies: BotActivity[] = await customer.say('it is not as described, the colour is completely different');
    const next = awaiting(replies);
    expect(['evidence', 'confirm']).toContain(next);
    const asks: (string | undefined)[] = [next];
    for (let turn = 0; !announcedCase(replies) && turn < 4; turn += 1) {
      const slot = awaiting(replies);
      const photo: Attachment[] = [jpegAttachment('scarf.jpg')];
      if (slot === 'evidence') replies = await customer.say(undefined, photo);
      else if (slot === 'confirm') replies = await customer.say(prompts.t('en', 'action.yes'));
      else throw new Error(`unexpected question after the restart (awaiting ${slot}): ${replies.at(-1)?.text}`);
      asks.push(awaiting(replies));
    }
    expect(asks).not.toContain('orderId');
    expect(asks).not.toContain('identity');
    const summary = announcedCase(replies);
    expect(summary).toMatchObject({ orderId: '100126', category: 'not_as_described', outcome: 'full', amount: 269, currency: 'CNY', status: 'approved' });
    expect(summary?.clauses).toContain('R-2.3');

    // The case is recorded, on this conversation, with its audit trail.
    const response = await fetch(`${second.url}/v1/cases/${summary?.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
    const recorded = (await response.json()) as { conversationId: string; status: string; evidence?: unknown[]; audit: { type: string }[] };
    expect(recorded).toMatchObject({ conversationId: customer.conversationId, status: 'approved' });
    expect(recorded.audit.map((event) => event.type)).toEqual(expect.arrayContaining(['created', 'decided']));

    // The whole history, from before and after the crash, is one conversation.
    const full = await customer.history(0);
    expect(full.activities.slice(0, before.activities.length)).toEqual(before.activities);
    expect(full.activities.length).toBeGreaterThan(before.activities.length);
    expect(full.watermark).toBeGreaterThan(before.watermark);

    // Neither process wrote the customer's email address in clear to its output or logs.
    for (const run of [first.run, second.run]) expect(run.stdout() + run.stderr()).not.toContain('linyijun@example.com');
    expect(first.run.stdout()).toContain('ready');
  }, 40_000);
});
