import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { computeStats } from '../../src/insight/computeStats.ts';
import { lastDays } from '../../src/insight/statsQuery.ts';
import { PNG } from '../evidence/fixtures.ts';
import { awaiting, Customer } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { killAllSpawned, runBin } from '../support/process.ts';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from '../support/redis.ts';
import { STORES, type StoreKind, startServer, type TestServer } from '../support/server.ts';

// Customer c-1002 of the demo orders, what they typed and the name of the file they sent: after
// erasure none of it may be anywhere in the store.
const EMAIL = 'hanmeimei@example.com';
const PHONE = '13800001002';
const FREE_TEXT = 'crackles like popcorn';
const FILE_NAME = 'hanmeimei-receipt.png';
const MARKERS = [EMAIL, PHONE, FREE_TEXT, FILE_NAME];

/** Every text held under the Redis prefix (string, hash, list, set and sorted-set values and the key names). */
async function redisText(prefix: string): Promise<string> {
  const client = createClient({ url: TEST_REDIS_URL });
  await client.connect();
  try {
    const parts: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      for (const key of keys) {
        parts.push(key);
        const type = await client.type(key);
        const read: Record<string, string[]> = { string: ['GET', key], hash: ['HGETALL', key], list: ['LRANGE', key, '0', '-1'], set: ['SMEMBERS', key], zset: ['ZRANGE', key, '0', '-1'] };
        const command = read[type];
        if (command) parts.push(JSON.stringify(await client.sendCommand(command)));
      }
    }
    return parts.join('\n');
  } finally {
    await client.quit();
  }
}

/** Every byte of the embedded store (database, its write-ahead log, proof files' names), as text. */
function sqliteText(dataDir: string): string {
  const parts: string[] = [];
  for (const name of ['refundbot.sqlite', 'refundbot.sqlite-wal']) {
    try {
      parts.push(readFileSync(path.join(dataDir, name)).toString('latin1'), readFileSync(path.join(dataDir, name)).toString('utf8'));
    } catch {
      // No write-ahead log right now.
    }
  }
  const evidence = path.join(dataDir, 'evidence');
  for (const dir of readdirSync(evidence)) parts.push(...readdirSync(path.join(evidence, dir)));
  return parts.join('\n');
}

describe.each(STORES)('refundbot privacy export|erase on %s', (store: StoreKind) => {
  let server: TestServer | undefined;
  const prefix = testPrefix('privacy');
  afterEach(async () => {
    await killAllSpawned();
    await server?.close();
    server = undefined;
    if (store === 'redis') await deleteKeys(prefix);
  });

  it('exports one customer, erases them everywhere but their anonymised case, leaves the others and the figures alone', async () => {
    const now = new Date();
    server = await startServer({ now: now.toISOString(), store, env: store === 'redis' ? { REDIS_KEY_PREFIX: prefix } : {} });
    const running = server;
    const env: Record<string, string> = { LOG_LEVEL: 'warn', DATA_DIR: running.dataDir, ...(store === 'redis' ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}) };
    const bin = (...args: string[]) => runBin(['privacy', ...args], { env, timeoutMs: 60_000 });

    // Customer c-1002: a refund with proof, then another conversation where they only prove who they are.
    const first = new Customer(running.url);
    await first.start('en');
    const proof = { contentType: 'image/png', name: FILE_NAME, contentUrl: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}` };
    const opener = { text: `The speaker from order 100102 is broken, it ${FREE_TEXT} and does not turn on. My email is ${EMAIL}`, attachments: [proof] };
    const { summary } = await driveRefund(first, 'en', opener, { category: 'defective', confirm: 'yes' });
    const second = new Customer(running.url);
    await second.start('en');
    expect(awaiting(await second.say('I want a refund for order 100102'))).toBe('identity');
    expect(awaiting(await second.say(`+86 ${PHONE}`))).not.toBe('identity');
    // Customer c-1004, who must not be touched.
    const other = new Customer(running.url);
    await other.start('en');
    const { summary: otherCase } = await driveRefund(other, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' });

    const query = lastDays(7, running.clock);
    const stats = () => computeStats(running.app.stores, query, { clock: running.clock });
    const figures = await stats();
    expect(figures.cases.total).toBe(2);

    // Export: the customer's case with its trail, both conversations' transcripts, the proof.
    const exported = await bin('export', '--customer', 'c-1002');
    expect(exported.code, exported.stderr).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data.customer).toEqual({ id: 'c-1002' });
    expect(data.cases).toMatchObject([{ case: { id: summary.id, orderId: '100102', customerId: 'c-1002' }, audit: [{ type: 'created' }, { type: 'decided' }] }]);
    expect(data.cases[0].case.reasonText).toContain(FREE_TEXT);
    expect(data.conversations).toHaveLength(2);
    const texts = data.conversations.map((conversation: { transcript: { activity: { text?: string } }[] }) => conversation.transcript.map((entry) => entry.activity.text ?? '').join('\n'));
    const refund = texts.findIndex((text: string) => text.includes(FREE_TEXT));
    expect(refund).toBeGreaterThanOrEqual(0);
    expect(texts[1 - refund]).toContain('I want a refund for order 100102');
    expect(data.conversations[refund].evidence).toMatchObject([{ name: FILE_NAME, contentType: 'image/png' }]);
    expect(JSON.stringify(data)).not.toContain('tokenHash');
    expect(exported.stdout).not.toContain(otherCase.id);
    expect(exported.stdout).not.toContain('chenjing');
    // By email too; the other customer's export has nothing of this one.
    const otherExport = await bin('export', '--customer', 'chenjing@example.com');
    expect(otherExport.code, otherExport.stderr).toBe(0);
    const otherBefore = JSON.parse(otherExport.stdout);
    expect(otherBefore.cases).toMatchObject([{ case: { id: otherCase.id } }]);
    expect(otherExport.stdout).not.toContain(summary.id);
    for (const marker of MARKERS) expect(otherExport.stdout).not.toContain(marker);

    // Erase: asks first (no terminal here: refuses without --yes), then deletes and anonymises.
    const unconfirmed = await bin('erase', '--customer', 'c-1002');
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('--yes');
    const erased = await bin('erase', '--customer', 'c-1002', '--yes', '--json');
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ customerId: 'c-1002', conversations: 2, records: 2, states: 2, evidenceFiles: 1, casesAnonymised: 1, casesKept: 1 });
    expect(JSON.parse(erased.stdout).transcriptEntries).toBeGreaterThan(4);

    const held = store === 'redis' ? await redisText(prefix) : sqliteText(running.dataDir);
    for (const marker of MARKERS) expect(held.includes(marker), `${marker} is still in the ${store} store`).toBe(false);

    const after = JSON.parse((await bin('export', '--customer', 'c-1002')).stdout);
    expect(after.conversations.every((conversation: { transcript: unknown[]; record: unknown }) => conversation.transcript.length === 0 && conversation.record === undefined)).toBe(true);
    const kept = after.cases[0];
    expect(kept.case).toMatchObject({ id: summary.id, orderId: '100102', category: 'defective', reasonText: '[erased]', decision: { amount: data.cases[0].case.decision.amount, outcome: data.cases[0].case.decision.outcome, clauses: data.cases[0].case.decision.clauses } });
    expect(kept.audit.map((event: { type: string }) => event.type)).toEqual([...data.cases[0].audit.map((event: { type: string }) => event.type), 'customer_data_erased']);
    expect(kept.audit[0].data).toMatchObject({ amount: data.cases[0].case.decision.amount, erased: true });

    // The other customer is untouched, and so are the merchant's figures.
    expect(JSON.parse((await bin('export', '--customer', 'c-1004')).stdout)).toEqual({ ...otherBefore, exportedAt: expect.any(String) });
    expect(await stats()).toEqual(figures);

    // Twice is fine: nothing left.
    const again = await bin('erase', '--customer', 'c-1002', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing left to erase for customer c-1002');

    // A customer nobody knows is an error.
    const unknown = await bin('export', '--customer', 'c-nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no customer c-nobody');
  }, 120_000);
});
