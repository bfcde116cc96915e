import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Attachment, awaiting, Customer, jpegAttachment } from '../support/client.ts';
import { type Answers, driveRefund } from '../support/drive.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../support/server.ts';

// The demo orders are written as of 2026-11-20; with the clock there, their dates are used as is.
const NOW = '2026-11-20T12:00:00Z';
const EMAIL = 'lilei@example.com';

/** Every file under `dir` (relative paths, sorted); none when the folder does not exist yet. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => !entry.isDirectory())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The response is `status` with exactly `{ error: { code, message } }` as JSON: no stack, no HTML. */
async function expectError(response: Response, status: number, code: string): Promise<{ code: string; message: string }> {
  const raw = await response.text();
  expect(response.status, raw.slice(0, 300)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(raw).not.toMatch(/<html|<!doctype|<body/i);
  // No stack frame, source path or internal detail.
  expect(raw).not.toMatch(/\bat [\w.<>]+ \(|\.ts:\d+|\.m?js:\d+|node:internal|node_modules|"stack"/);
  const body = JSON.parse(raw) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.message.length).toBeLessThan(500);
  return body.error;
}

function dataUrl(contentType: string, bytes: Buffer): string {
  return `data:${contentType};base64,${bytes.toString('base64')}`;
}

/** A Windows executable's first bytes (DOS header, "This program cannot be run in DOS mode", PE signature). */
function windowsExe(): Buffer {
  const bytes = Buffer.alloc(512);
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(0x80, 0x3c); // e_lfanew: where the PE header starts
  bytes.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  bytes.write('PE\0\0', 0x80, 'latin1');
  bytes.writeUInt16LE(0x14c, 0x84); // machine: i386
  return bytes;
}

/** A JPEG start followed by filler: `size` bytes that declare and sniff as JPEG. */
function bigJpeg(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).copy(bytes);
  bytes[size - 2] = 0xff;
  bytes[size - 1] = 0xd9;
  return bytes;
}

function postRaw(customer: Customer, contentType: string, body: string): Promise<Response> {
  return fetch(`${customer.url}/v1/conversations/${customer.conversationId}/activities`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${customer.token}` },
    body,
  });
}

function get(url: string, token?: string): Promise<Response> {
  return fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
}

describe('bad input through the conversation API', () => {
  let server: TestServer;
  let evidenceDir: string;
  beforeAll(async () => {
    server = await startServer({ now: NOW });
    evidenceDir = path.join(server.dataDir, 'evidence');
  });
  afterAll(async () => {
    await server?.close();
  });

  /**
   * Opens a conversation waiting for the identity of order 100101, runs `reject` (which must
   * answer `status`/`code`), then checks nothing was stored — the history (both sides) and the
   * evidence folder are as before — and that the conversation goes on from where it was.
   */
  async function rejectedAndNothingStored(status: number, code: string, reject: (customer: Customer) => Promise<Response>) {
    const customer = new Customer(server.url);
    await customer.start('en');
    const opened = await customer.say('I want a refund for order 100101');
    expect(awaiting(opened)).toBe('identity');
    const historyBefore = await customer.history(0);
    const filesBefore = await filesUnder(evidenceDir);

    const error = await expectError(await reject(customer), status, code);

    expect(await customer.history(0)).toEqual(historyBefore);
    expect(await filesUnder(evidenceDir)).toEqual(filesBefore);

    // The conversation goes on normally, from the question it was at.
    const next = await customer.say(EMAIL);
    expect(next.length).toBeGreaterThan(0);
    expect(awaiting(next)).toBe('reason');
    const historyAfter = await customer.history(0);
    expect(historyAfter.activities.slice(0, historyBefore.activities.length)).toEqual(historyBefore.activities);
    expect(historyAfter.activities[historyBefore.activities.length]).toMatchObject({ from: { role: 'user' }, text: EMAIL });
    expect(historyAfter.activities).toHaveLength(historyBefore.activities.length + 1 + next.length);
    return error;
  }

  const badBodies: { name: string; status: number; code: string; body: string | object }[] = [
    { name: 'malformed JSON', status: 400, code: 'bad_request', body: '{"type":"message","text":"I want a refund' },
    { name: 'a JSON array instead of an object', status: 400, code: 'bad_request', body: '[{"type":"message","text":"hello"}]' },
    { name: 'a JSON string instead of an object', status: 400, code: 'bad_request', body: '"hello"' },
    { name: 'JSON null', status: 400, code: 'bad_request', body: 'null' },
    { name: 'wrong activity type', status: 400, code: 'bad_request', body: { type: 'event', text: 'hello' } },
    { name: 'no activity type', status: 400, code: 'bad_request', body: { text: 'hello' } },
    { name: 'text that is a number', status: 400, code: 'bad_request', body: { type: 'message', text: 12345 } },
    { name: 'text that is an object', status: 400, code: 'bad_request', body: { type: 'message', text: { value: 'hello' } } },
    { name: 'attachments that are not a list', status: 400, code: 'bad_request', body: { type: 'message', attachments: 'photo.jpg' } },
    { name: 'an empty message', status: 400, code: 'empty_message', body: { type: 'message' } },
    { name: 'a message of blanks only', status: 400, code: 'empty_message', body: { type: 'message', text: '   \n\t ' } },
    { name: 'a text of 5 MB', status: 413, code: 'text_too_long', body: { type: 'message', text: `${EMAIL} `.repeat(Math.ceil((5 * 1024 * 1024) / 18)) } },
    { name: 'a text one character over 4,000', status: 413, code: 'text_too_long', body: { type: 'message', text: 'a'.repeat(4001) } },
  ];

  it.each(badBodies)('$name → $status $code, nothing stored', async ({ status, code, body }) => {
    await rejectedAndNothingStored(status, code, (customer) => customer.post(body));
  });

  it('a plain-text body (text/plain) → 400, nothing stored', async () => {
    await rejectedAndNothingStored(400, 'bad_request', (customer) => postRaw(customer, 'text/plain', 'I want a refund'));
  });

  it('a body of a type the API does not read (application/xml) → 415, nothing stored', async () => {
    await rejectedAndNothingStored(415, 'unsupported_media_type', (customer) => postRaw(customer, 'application/xml', '<activity type="message">hi</activity>'));
  });

  const badFiles: { name: string; status: number; code: string; attachments: () => Attachment[] }[] = [
    {
      name: 'a Windows .exe sent as image/png named photo.png',
      status: 415,
      code: 'unsupported_file_type',
      attachments: () => [{ contentType: 'image/png', name: 'photo.png', contentUrl: dataUrl('image/png', windowsExe()) }],
    },
    {
      name: 'a good photo together with an .exe (one bad file stores none)',
      status: 415,
      code: 'unsupported_file_type',
      attachments: () => [jpegAttachment('good.jpg'), { contentType: 'image/png', name: 'photo.png', contentUrl: dataUrl('image/png', windowsExe()) }],
    },
    {
      name: 'an 11 MB image',
      status: 413,
      code: 'file_too_large',
      attachments: () => [{ contentType: 'image/jpeg', name: 'big.jpg', contentUrl: dataUrl('image/jpeg', bigJpeg(11 * 1024 * 1024)) }],
    },
    {
      name: 'a declared type outside the list (image/gif)',
      status: 415,
      code: 'unsupported_file_type',
      attachments: () => [{ contentType: 'image/gif', name: 'photo.gif', contentUrl: dataUrl('image/gif', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')) }],
    },
    {
      name: '6 attachments',
      status: 400,
      code: 'too_many_attachments',
      attachments: () => Array.from({ length: 6 }, (_, i) => jpegAttachment(`photo${i}.jpg`)),
    },
    {
      name: 'a data: URL that is not base64',
      status: 400,
      code: 'bad_attachment',
      attachments: () => [{ contentType: 'image/jpeg', name: 'photo.jpg', contentUrl: 'data:image/jpeg,%FF%D8%FF%E0 not base64' }],
    },
    {
      name: 'a data: URL whose base64 is garbage',
      status: 400,
      code: 'bad_attachment',
      attachments: () => [{ contentType: 'image/jpeg', name: 'photo.jpg', contentUrl: 'data:image/jpeg;base64,@@not*base64!!' }],
    },
    {
      name: 'a contentUrl that is not a data: URL',
      status: 400,
      code: 'bad_request',
      attachments: () => [{ contentType: 'image/jpeg', name: 'photo.jpg', contentUrl: 'https://example.com/photo.jpg' }],
    },
  ];

  it.each(badFiles)('$name → $status $code, nothing stored', async ({ status, code, attachments }) => {
    await rejectedAndNothingStored(status, code, (customer) => customer.post({ type: 'message', text: 'here is the photo', attachments: attachments() }));
  });

  it('the evidence check can see a stored file: a good photo adds exactly one file', async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const before = await filesUnder(evidenceDir);
    const replies = await customer.say(undefined, [{ contentType: 'image/png', name: 'shot.png', contentUrl: dataUrl('image/png', tinyPng()) }]);
    expect(replies.length).toBeGreaterThan(0);
    const after = await filesUnder(evidenceDir);
    expect(after.filter((file) => !before.includes(file))).toHaveLength(1);
  });

  describe('tokens and ids', () => {
    it('no bearer token → 401, nothing stored', async () => {
      await rejectedAndNothingStored(401, 'unauthorized', (customer) =>
        fetch(`${customer.url}/v1/conversations/${customer.conversationId}/activities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'message', text: EMAIL }),
        }),
      );
    });

    it('a wrong bearer token → 401, nothing stored', async () => {
      await rejectedAndNothingStored(401, 'unauthorized', (customer) => customer.post({ type: 'message', text: EMAIL }, 'not-the-token'));
    });

    it('a token that is not a bearer token (Basic) → 401, nothing stored', async () => {
      await rejectedAndNothingStored(401, 'unauthorized', (customer) =>
        fetch(`${customer.url}/v1/conversations/${customer.conversationId}/activities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Basic ${customer.token}` },
          body: JSON.stringify({ type: 'message', text: EMAIL }),
        }),
      );
    });

    it("another conversation's token → 401 on POST and GET, nothing stored", async () => {
      const other = new Customer(server.url);
      await other.start('en');
      await rejectedAndNothingStored(401, 'unauthorized', (customer) => customer.post({ type: 'message', text: EMAIL }, other.token));
      const customer = new Customer(server.url);
      await customer.start('en');
      await expectError(await get(`${server.url}/v1/conversations/${customer.conversationId}/activities?watermark=0`, other.token), 401, 'unauthorized');
      await expectError(await get(`${server.url}/v1/conversations/${customer.conversationId}/activities?watermark=0`), 401, 'unauthorized');
      // The other conversation's history is untouched by the attempt, too.
      const otherHistory = await other.history(0);
      expect(otherHistory.activities.every((activity) => activity.from.role === 'bot')).toBe(true);
    });

    it('an unknown conversation id → 404 for POST and GET', async () => {
      const customer = new Customer(server.url);
      await customer.start('en');
      const filesBefore = await filesUnder(evidenceDir);
      for (const id of [randomUUID(), 'no-such-conversation']) {
        const url = `${server.url}/v1/conversations/${id}/activities`;
        await expectError(
          await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
            body: JSON.stringify({ type: 'message', text: 'hello', attachments: [jpegAttachment()] }),
          }),
          404,
          'conversation_not_found',
        );
        await expectError(await get(`${url}?watermark=0`, customer.token), 404, 'conversation_not_found');
      }
      expect(await filesUnder(evidenceDir)).toEqual(filesBefore);
    });

    it('a bad watermark → 400', async () => {
      const customer = new Customer(server.url);
      await customer.start('en');
      await expectError(await get(`${server.url}/v1/conversations/${customer.conversationId}/activities?watermark=-1`, customer.token), 400, 'bad_request');
      await expectError(await get(`${server.url}/v1/conversations/${customer.conversationId}/activities?watermark=abc`, customer.token), 400, 'bad_request');
    });

    it('a bad locale when opening a conversation → 400', async () => {
      const response = await fetch(`${server.url}/v1/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ locale: 'fr' }),
      });
      await expectError(response, 400, 'bad_request');
    });
  });

  describe('the case API and unknown routes', () => {
    it('GET /v1/cases without or with a wrong admin token → 401', async () => {
      const customer = new Customer(server.url);
      await customer.start('en');
      for (const token of [undefined, 'wrong-admin-token-0123456789', customer.token, `${ADMIN_TOKEN}x`]) {
        await expectError(await get(`${server.url}/v1/cases?orderId=100101`, token), 401, 'unauthorized');
        await expectError(await get(`${server.url}/v1/cases/RF-AAAAAA`, token), 401, 'unauthorized');
      }
    });

    it('an unknown case → 404; a case query without orderId → 400', async () => {
      await expectError(await get(`${server.url}/v1/cases/RF-ZZZZZZ`, ADMIN_TOKEN), 404, 'case_not_found');
      await expectError(await get(`${server.url}/v1/cases/${encodeURIComponent('../../etc/passwd')}`, ADMIN_TOKEN), 404, 'case_not_found');
      await expectError(await get(`${server.url}/v1/cases`, ADMIN_TOKEN), 400, 'bad_request');
      // With the right token the same API answers.
      const ok = await get(`${server.url}/v1/cases?orderId=100101`, ADMIN_TOKEN);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ cases: expect.any(Array) });
    });

    it('an unknown route → 404 JSON', async () => {
      await expectError(await get(`${server.url}/v1/nothing-here`), 404, 'not_found');
      await expectError(await fetch(`${server.url}/v1/conversations/x/y/z`, { method: 'DELETE' }), 404, 'not_found');
      await expectError(await fetch(`${server.url}/admin.php`, { method: 'POST', body: 'x=1' }), 404, 'not_found');
    });
  });

  it("the logs never hold the customer's email in clear", async () => {
    const customer = new Customer(server.url);
    await customer.start('en');
    const answers: Answers = { identity: EMAIL, reason: `I changed my mind, I don't need it. Write to me at ${EMAIL}`, category: 'changed_mind', confirm: 'yes' };
    const run = await driveRefund(customer, 'en', `I want a refund for order 100101, my email is ${EMAIL}`, answers);
    expect(run.summary).toMatchObject({ orderId: '100101', status: 'approved' });
    // Bad requests carrying the address, in the body and in the path, too.
    await customer.post(`{"type":"message","text":"${EMAIL}`);
    await customer.post({ type: 'message', text: EMAIL, attachments: [{ contentType: 'image/png', name: `${EMAIL}.png`, contentUrl: dataUrl('image/png', windowsExe()) }] });
    await get(`${server.url}/v1/conversations/${EMAIL}/activities?watermark=0`, customer.token);
    await get(`${server.url}/v1/cases?orderId=${EMAIL}`, ADMIN_TOKEN);
    // The history does hold it (so the check below is about the logs, not a missing message).
    expect(JSON.stringify((await customer.history(0)).activities)).toContain(EMAIL);

    // The capture works: the server's own start-up line is there.
    expect(server.logs.length).toBeGreaterThan(0);
    const logs = server.logs.join('\n');
    expect(logs).not.toContain(EMAIL);
    expect(logs).not.toMatch(/lilei@/i);
  });
});

/** A 1×1 PNG. */
function tinyPng(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}
