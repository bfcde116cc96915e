import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedFileOrigins, isAllowedFileUrl, SLACK_FILES_ORIGIN, SlackFileIntake } from '../../src/channels/slack-desk/agentFiles.ts';
import { EXE, PDF, PNG } from '../evidence/fixtures.ts';
import { makeSqliteHarness } from '../stores/sqliteHarness.ts';
import { type SlackStandIn, startSlackStandIn } from '../support/slackStandIn.ts';
import { captureLogger } from './harness.ts';

describe('which file links the desk follows', () => {
  const slack = allowedFileOrigins('https://slack.com/api/');
  const standIn = allowedFileOrigins('http://127.0.0.1:4321/api/');

  it("allows Slack's file server and the configured Web API's origin, nothing else", () => {
    expect([...slack].sort()).toEqual(['https://files.slack.com', 'https://slack.com']);
    expect([...standIn].sort()).toEqual(['http://127.0.0.1:4321', SLACK_FILES_ORIGIN]);
    // Not a URL, or not http(s): only Slack's file server then.
    expect([...allowedFileOrigins('not a url')]).toEqual([SLACK_FILES_ORIGIN]);
    expect([...allowedFileOrigins('file:///api/')]).toEqual([SLACK_FILES_ORIGIN]);
  });

  it.each([
    'https://files.slack.com/files-pri/T0001-F0001/download/label.png',
    'https://files.slack.com/files-pri/T0001-F0001/label.png?t=xoxe-1',
    'HTTPS://FILES.SLACK.COM:443/files-pri/T0001-F0001/download/label.png',
    'https://slack.com/files-pri/T0001-F0001/download/label.png',
  ])('follows %s', (url) => {
    expect(isAllowedFileUrl(url, slack)).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example/files-pri/T0001-F0001/download/label.png'],
    ['a look-alike host', 'https://files.slack.com.evil.example/label.png'],
    ['a host in the user part', 'https://files.slack.com@evil.example/label.png'],
    ['credentials', 'https://user:pass@files.slack.com/label.png'],
    ['plain http', 'http://files.slack.com/label.png'],
    ['another port', 'https://files.slack.com:8443/label.png'],
    ["Slack's public file links", 'https://slack-files.com/T0001-F0001-0ce8936320'],
    ['a subdomain of slack.com', 'https://hooks.slack.com/label.png'],
    ['the allowed origin only in the query', 'https://evil.example/?u=https://files.slack.com/label.png'],
    ['a local file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)'],
    ['a data URL', 'data:image/png;base64,iVBORw0KGgo='],
    ['a relative path', '/files-pri/T0001-F0001/label.png'],
    ['nothing', ''],
  ])('never follows %s', (_label, url) => {
    expect(isAllowedFileUrl(url, slack)).toBe(false);
  });

  it("matches the stand-in's origin exactly: scheme, host and port", () => {
    expect(isAllowedFileUrl('http://127.0.0.1:4321/files-pri/T-F/download/a.png', standIn)).toBe(true);
    expect(isAllowedFileUrl('http://127.0.0.1:4322/files-pri/T-F/download/a.png', standIn)).toBe(false);
    expect(isAllowedFileUrl('http://localhost:4321/files-pri/T-F/download/a.png', standIn)).toBe(false);
    expect(isAllowedFileUrl('https://127.0.0.1:4321/files-pri/T-F/download/a.png', standIn)).toBe(false);
  });
});

describe('bringing agent files into the evidence store', () => {
  let slack: SlackStandIn;
  let stores: Awaited<ReturnType<typeof makeSqliteHarness>>;
  const servers: Server[] = [];

  afterEach(async () => {
    await slack?.close();
    await stores?.cleanup();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  async function setUp(options: { token?: string; maxBytes?: number; slackApiUrl?: string } = {}) {
    slack = await startSlackStandIn();
    stores = await makeSqliteHarness();
    const logs = captureLogger();
    const intake = new SlackFileIntake({
      evidence: stores.stores.evidence,
      token: options.token ?? slack.botToken,
      slackApiUrl: options.slackApiUrl ?? slack.url,
      logger: logs.logger,
      ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
    });
    return { intake, logs };
  }

  /** A local HTTP server on another port (another origin) that records what reaches it. */
  async function otherServer(handle: (request: IncomingMessage, respond: (status: number, headers: Record<string, string>, body?: Uint8Array | string) => void) => void) {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      handle(request, (status, headers, body) => {
        response.writeHead(status, headers);
        // Written, then ended: a chunked body without content-length, as a stream would come.
        if (body !== undefined) response.write(body);
        response.end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  }

  const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

  it('stores what the bytes allow, refuses the rest, and keeps the order', async () => {
    const { intake } = await setUp();
    const files = [
      slack.hostFile({ name: 'label.png', mimetype: 'image/png', bytes: PNG }),
      slack.hostFile({ name: 'photo.png', mimetype: 'image/png', bytes: EXE }),
      slack.hostFile({ name: 'invoice.pdf', mimetype: 'application/pdf', bytes: PDF }),
    ];
    const result = await intake.take(files, 'conv-1');
    expect(result.sent).toEqual([
      { evidenceId: sha256(PNG), name: 'label.png', contentType: 'image/png' },
      { evidenceId: sha256(PDF), name: 'invoice.pdf', contentType: 'application/pdf' },
    ]);
    expect(result.refused).toEqual([{ name: 'photo.png', refusal: 'unsupported_type' }]);
    expect(await stores.stores.evidence.get(sha256(EXE))).toBeUndefined();
    expect(slack.fileDownloads.map((download) => [download.token, download.served])).toEqual([
      [slack.botToken, true],
      [slack.botToken, true],
      [slack.botToken, true],
    ]);
  });

  it('takes five files a message at most', async () => {
    const { intake } = await setUp();
    const files = Array.from({ length: 6 }, (_, index) => slack.hostFile({ name: `p${index}.png`, mimetype: 'image/png', bytes: PNG }));
    const result = await intake.take(files, 'conv-1');
    expect(result.sent).toHaveLength(5);
    expect(result.refused).toEqual([{ name: 'p5.png', refusal: 'too_many' }]);
    expect(slack.fileDownloads).toHaveLength(5);
  });

  it('refuses a file Slack says is too large without downloading it, and one that turns out too large', async () => {
    const { intake } = await setUp({ maxBytes: 1000 });
    const declaredBig = { ...slack.hostFile({ name: 'big.png', mimetype: 'image/png', bytes: PNG }), size: 5000 };
    const big = await otherServer((_request, respond) => respond(200, { 'content-type': 'image/png' }, Buffer.concat([Buffer.from(PNG), Buffer.alloc(4000)])));
    // A stream without content-length: counted while reading.
    const result = await new SlackFileIntake({ evidence: stores.stores.evidence, token: slack.botToken, slackApiUrl: `${big.url}/api/`, logger: captureLogger().logger, maxBytes: 1000 }).take(
      [{ name: 'sneaky.png', size: 10, url_private_download: `${big.url}/files-pri/T-F/download/sneaky.png` }],
      'conv-1',
    );
    expect((await intake.take([declaredBig], 'conv-1')).refused).toEqual([{ name: 'big.png', refusal: 'too_large' }]);
    expect(slack.fileDownloads).toHaveLength(0);
    expect(result.refused).toEqual([{ name: 'sneaky.png', refusal: 'too_large' }]);
    expect(big.requests).toHaveLength(1);
  });

  it('never fetches a link on another host, nor follows a redirect there', async () => {
    const foreign = await otherServer((_request, respond) => respond(200, { 'content-type': 'image/png' }, PNG));
    // The configured Slack host redirects to the foreign one: the redirect is not followed.
    const redirecting = await otherServer((_request, respond) => respond(302, { location: `${foreign.url}/stolen.png` }));
    const { intake, logs } = await setUp({ slackApiUrl: `${redirecting.url}/api/` });
    const result = await intake.take(
      [
        { id: 'F1', name: 'a.png', url_private_download: `${foreign.url}/files-pri/T-F1/download/a.png` },
        { id: 'F2', name: 'b.png', url_private_download: `${redirecting.url}/files-pri/T-F2/download/b.png` },
        { id: 'F3', name: 'c.png' },
      ],
      'conv-1',
    );
    expect(result.sent).toEqual([]);
    expect(result.refused).toEqual([
      { name: 'a.png', refusal: 'foreign_link' },
      { name: 'b.png', refusal: 'foreign_link' },
      { name: 'c.png', refusal: 'no_link' },
    ]);
    expect(foreign.requests).toEqual([]);
    expect(redirecting.requests).toEqual(['/files-pri/T-F2/download/b.png']);
    // The private link's path is not logged, only its host.
    expect(JSON.stringify(logs.lines())).not.toContain('/files-pri/T-F1');
  });

  it("says the download failed when Slack answers its sign-in page (a wrong token, no files:read)", async () => {
    const { intake } = await setUp({ token: 'xoxb-wrong' });
    const result = await intake.take([slack.hostFile({ name: 'label.png', mimetype: 'image/png', bytes: PNG })], 'conv-1');
    expect(result).toEqual({ sent: [], refused: [{ name: 'label.png', refusal: 'download_failed' }] });
    expect(slack.fileDownloads).toEqual([expect.objectContaining({ token: 'xoxb-wrong', served: false })]);
  });
});
