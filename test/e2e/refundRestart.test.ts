import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { MerchantStandIn, WEBHOOK_SECRET } from '../support/merchant.ts';
import { type BinProcess, freePort, killAllSpawned, spawnBin, waitForHealth } from '../support/process.ts';
import { ADMIN_TOKEN } from '../support/server.ts';
import { until } from '../support/wait.ts';

/**
 * A real `refundbot serve` process approves a refund and is killed with SIGKILL while its
 * delivery to the merchant is in flight (the merchant never answers it). A new process on the
 * same data folder sends it again once the dead one's lease has lapsed: the merchant refunds once.
 */
describe('a refund approved just before a crash is still delivered, once', () => {
  const dirs: string[] = [];
  let merchant: MerchantStandIn | undefined;
  afterEach(async () => {
    await killAllSpawned();
    await merchant?.close();
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function serve(dataDir: string, port: number, webhookUrl: string): Promise<{ run: BinProcess; url: string }> {
    const run = spawnBin(['serve'], {
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ADMIN_TOKEN,
        REFUND_WEBHOOK_URL: webhookUrl,
        REFUND_WEBHOOK_SECRET: WEBHOOK_SECRET,
        // A short attempt, so the dead process's lease (3 attempts long) lapses quickly.
        REFUND_WEBHOOK_TIMEOUT_MS: '1000',
      },
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, run, 25_000);
    return { run, url };
  }

  it('SIGKILL while the merchant has not answered; after the restart the refund is sent again and paid once', async () => {
    merchant = new MerchantStandIn({ behaviours: ['hang'] });
    const webhookUrl = await merchant.start();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'refundbot-refund-restart-'));
    dirs.push(dataDir);
    const port = await freePort();

    const first = await serve(dataDir, port, webhookUrl);
    const customer = new Customer(first.url);
    await customer.start('en');
    const opener = { text: 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', attachments: [jpegAttachment()] };
    const { summary } = await driveRefund(customer, 'en', opener, { confirm: 'yes' });
    expect(summary.status).toBe('approved');
    const standIn = merchant;
    await until(() => standIn.requestsFor(summary.id).length === 1, 'the first delivery reaching the merchant');

    // Crash with the request unanswered: nothing about the delivery was recorded.
    expect(first.run.child.kill('SIGKILL')).toBe(true);
    expect(await first.run.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(standIn.refundsFor(summary.id)).toEqual([]);

    const second = await serve(dataDir, port, webhookUrl);
    await until(() => standIn.refundsFor(summary.id).length === 1, 'the delivery after the restart', 20_000);
    const caseOf = async () =>
      (await (await fetch(`${second.url}/v1/cases/${summary.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
        status: string;
        audit: { type: string; data: Record<string, unknown> }[];
      };
    const recorded = await until(async () => {
      const found = await caseOf();
      return found.audit.some((event) => event.type === 'refund_sent') && found;
    }, 'the delivery on the audit trail');
    // The attempt cut short by the crash counts: the one that went through is the second.
    expect(recorded.audit.filter((event) => event.type.startsWith('refund_'))).toMatchObject([{ type: 'refund_sent', data: { attempt: 2, status: 200 } }]);
    // Received, not yet confirmed paid by the merchant.
    expect(recorded.status).toBe('approved');

    // Both requests carried the same key and body; no third comes.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const requests = standIn.requestsFor(summary.id);
    expect(requests).toHaveLength(2);
    expect(requests.map((request) => request.headers['idempotency-key'])).toEqual([summary.id, summary.id]);
    expect(requests[1]?.body).toBe(requests[0]?.body);
    expect(standIn.refundsFor(summary.id)).toHaveLength(1);
    for (const run of [first.run, second.run]) expect(run.stdout() + run.stderr()).not.toContain('hanmeimei@example.com');
  }, 60_000);
});
