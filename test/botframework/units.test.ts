import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicActivity } from '../../src/bot/publicActivity.ts';
import { type InboundActivity, isLoopbackUrl, localeOf, messageText } from '../../src/channels/botframework/activity.ts';
import { AttachmentFetcher, type HostAccess, hostAccess, inboundFiles } from '../../src/channels/botframework/attachments.ts';
import { toBotFrameworkMessage } from '../../src/channels/botframework/replies.ts';
import { JPEG } from '../evidence/fixtures.ts';

function activity(fields: Partial<InboundActivity> = {}): InboundActivity {
  return {
    type: 'message',
    id: '1',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/amer/',
    from: { id: '29:user', name: 'Wang Fang' },
    recipient: { id: '28:bot', name: 'Refund Bot' },
    conversation: { id: 'a:personal' },
    ...fields,
  };
}

describe('inbound activities', () => {
  it.each([
    ['en-US', 'en'],
    [undefined, 'en'],
    ['fr-FR', 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-Hans-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['zh-TW', 'zh-TW'],
    ['zh-hk', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['zh-MO', 'zh-TW'],
    ['zhx-TW', 'en'],
  ])('locale %s speaks %s', (given, expected) => {
    expect(localeOf(given)).toBe(expected);
  });

  it("removes the bot's @mention (by entity or by name) and keeps other people's names", () => {
    const mention = { type: 'mention', text: '<at>Refund Bot</at>', mentioned: { id: '28:bot', name: 'Refund Bot' } };
    expect(messageText(activity({ text: '<at>Refund Bot</at> refund order 100102', entities: [mention] }))).toBe('refund order 100102');
    expect(messageText(activity({ text: 'refund <at>Refund Bot</at> please' }))).toBe('refund please');
    expect(messageText(activity({ text: '<at>Refund Bot</at> <at>Li Lei</at> ordered 100102 for me' }))).toBe('Li Lei ordered 100102 for me');
    expect(messageText(activity({ text: 'line one\nline two' }))).toBe('line one\nline two');
    expect(messageText(activity({}))).toBe('');
  });

  it.each([
    ['http://localhost:53000', true],
    ['http://127.0.0.1:53000', true],
    ['http://127.8.9.10', true],
    ['http://[::1]:53000', true],
    ['https://smba.trafficmanager.net/amer/', false],
    ['http://127.0.0.1.nip.io', false],
    ['http://10.0.0.1', false],
    ['not a url', false],
  ])('%s is loopback: %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });

  it('finds the files of a Teams message and leaves out its HTML copy and cards', () => {
    const files = inboundFiles(
      activity({
        attachments: [
          { contentType: 'text/html', content: '<div>hi <img src="..."></div>' },
          { contentType: 'image/*', contentUrl: 'https://smba.trafficmanager.net/amer/v3/attachments/0-abc/views/original' },
          { contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'receipt.pdf', contentUrl: 'https://contoso-my.sharepoint.com/personal/x/receipt.pdf', content: { downloadUrl: 'https://contoso-my.sharepoint.com/personal/x/_layouts/15/download.aspx?tempauth=abc', fileType: 'pdf', uniqueId: 'u1' } },
          { contentType: 'application/vnd.microsoft.card.hero', content: { title: 'a card' } },
        ],
      }),
    );
    expect(files).toEqual([
      { name: 'image-2', url: 'https://smba.trafficmanager.net/amer/v3/attachments/0-abc/views/original' },
      { name: 'receipt.pdf', url: 'https://contoso-my.sharepoint.com/personal/x/_layouts/15/download.aspx?tempauth=abc' },
    ]);
  });

  it('fetches files only from the activity’s own service and, for Teams, its media and SharePoint hosts', () => {
    const teams = hostAccess(activity());
    expect(teams(new URL('https://smba.trafficmanager.net/amer/v3/attachments/1/views/original'))).toBe('bot-token');
    expect(teams(new URL('https://us-api.asm.skype.com/v1/objects/0-wus/views/imgo'))).toBe('bot-token');
    expect(teams(new URL('https://contoso-my.sharepoint.com/personal/x/download.aspx'))).toBe('anonymous');
    for (const refused of ['http://contoso-my.sharepoint.com/x', 'https://contoso.sharepoint.com.attacker.example/x', 'https://contoso.sharepoint.com:8443/x', 'https://169.254.169.254/latest/meta-data', 'https://smba.trafficmanager.net.attacker.example/x']) {
      expect(teams(new URL(refused)), refused).toBeUndefined();
    }
    const emulator = hostAccess(activity({ channelId: 'emulator', serviceUrl: 'http://localhost:53000' }));
    expect(emulator(new URL('http://localhost:53000/v3/attachments/1/views/original'))).toBe('bot-token');
    expect(emulator(new URL('http://localhost:53001/v3/attachments/1/views/original'))).toBeUndefined();
    expect(emulator(new URL('https://contoso-my.sharepoint.com/x'))).toBeUndefined();
  });
});

describe('replies as Bot Framework messages', () => {
  const reply: PublicActivity = {
    type: 'message',
    from: { role: 'agent', name: 'Li Lei' },
    text: 'Here is the return label.',
    locale: 'en',
    attachments: [{ contentType: 'application/pdf', name: 'label.pdf', evidenceId: 'e'.repeat(64) }],
    suggestedActions: { actions: [{ type: 'imBack', title: 'Yes', value: 'Yes' }] },
    channelData: { awaiting: 'confirm' },
  };
  const fileLink = (id: string) => `https://refunds.example/v1/evidence/${id}?expires=1&signature=s`;

  it('names the agent, links files, offers choices as suggested actions (Emulator, Web Chat)', () => {
    expect(toBotFrameworkMessage(reply, { channelId: 'webchat', fileLink })).toEqual({
      type: 'message',
      textFormat: 'plain',
      text: 'Li Lei: Here is the return label.',
      locale: 'en',
      attachments: [{ contentType: 'application/pdf', name: 'label.pdf', contentUrl: fileLink('e'.repeat(64)) }],
      suggestedActions: { actions: [{ type: 'imBack', title: 'Yes', value: 'Yes' }] },
      channelData: { awaiting: 'confirm' },
    });
  });

  it('in Teams: links in the text and choices as HeroCard imBack buttons', () => {
    const message = toBotFrameworkMessage(reply, { channelId: 'msteams', fileLink });
    expect(message?.text).toBe(`Li Lei: Here is the return label.\n\nlabel.pdf: ${fileLink('e'.repeat(64))}`);
    expect(message?.suggestedActions).toBeUndefined();
    expect(message?.channelData).toBeUndefined();
    expect(message?.attachments).toEqual([{ contentType: 'application/vnd.microsoft.card.hero', content: { buttons: [{ type: 'imBack', title: 'Yes', value: 'Yes' }] } }]);
  });

  it('shows a file by name without a link, and skips a reply with nothing to show', () => {
    expect(toBotFrameworkMessage({ ...reply, from: { role: 'bot' }, suggestedActions: undefined }, { channelId: 'emulator' })?.text).toBe('Here is the return label.\n\n[label.pdf]');
    expect(toBotFrameworkMessage({ type: 'message', from: { role: 'bot' }, text: ' ' }, { channelId: 'emulator' })).toBeUndefined();
  });
});

describe('AttachmentFetcher', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; hits: { path: string; authorization?: string }[] }> {
    const hits: { path: string; authorization?: string }[] = [];
    const server = createServer((request, response) => {
      hits.push({ path: request.url ?? '', ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
      handler?.(request, response);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
  }

  const auth = { token: async () => 'bot-token-123' };
  const only = (access: Record<string, HostAccess>) => (url: URL) => access[url.origin];

  it('stops reading an endless body at the size limit', async () => {
    const endless = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/jpeg' });
      const timer = setInterval(() => response.write(Buffer.alloc(64 * 1024)), 1);
      response.on('close', () => clearInterval(timer));
    });
    const fetcher = new AttachmentFetcher({ maxBytes: 1024 * 1024, timeoutMs: 10_000 });
    await expect(fetcher.fetch({ name: 'big.jpg', url: `${endless.url}/file` }, only({ [endless.url]: 'anonymous' }), auth)).rejects.toMatchObject({ code: 'file_too_large', status: 413 });
  });

  it('gives up on a host that does not answer within the timeout', async () => {
    const silent = await serve(() => undefined);
    const fetcher = new AttachmentFetcher({ timeoutMs: 300 });
    const started = Date.now();
    await expect(fetcher.fetch({ name: 'a.jpg', url: `${silent.url}/file` }, only({ [silent.url]: 'anonymous' }), auth)).rejects.toMatchObject({ code: 'attachment_download_failed' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('follows redirects only to allowed hosts, and sends the token only where the bot token belongs', async () => {
    const files = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(JPEG.length) });
      response.end(Buffer.from(JPEG));
    });
    const forbidden = await serve((_request, response) => response.writeHead(200).end('secret'));
    const service = await serve((request, response) => {
      const target = request.url === '/to-files' ? `${files.url}/photo` : `${forbidden.url}/metadata`;
      response.writeHead(302, { location: target }).end();
    });
    const access = only({ [service.url]: 'bot-token', [files.url]: 'anonymous' });
    const fetched = await new AttachmentFetcher().fetch({ name: 'photo.jpg', url: `${service.url}/to-files` }, access, auth);
    expect(fetched).toEqual({ name: 'photo.jpg', contentType: 'image/jpeg', contentUrl: `data:image/jpeg;base64,${Buffer.from(JPEG).toString('base64')}` });
    expect(service.hits[0]?.authorization).toBe('Bearer bot-token-123');
    expect(files.hits[0]?.authorization).toBeUndefined();

    await expect(new AttachmentFetcher().fetch({ name: 'x.jpg', url: `${service.url}/to-forbidden` }, access, auth)).rejects.toMatchObject({ code: 'attachment_not_allowed' });
    expect(forbidden.hits).toEqual([]);
  });

  it('refuses an error status, and checks the bytes of an inline data: URL', async () => {
    const missing = await serve((_request, response) => response.writeHead(404).end());
    await expect(new AttachmentFetcher().fetch({ name: 'a.jpg', url: `${missing.url}/gone` }, only({ [missing.url]: 'anonymous' }), auth)).rejects.toMatchObject({ code: 'attachment_download_failed' });
    const text = `data:image/png;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}`;
    await expect(new AttachmentFetcher().fetch({ name: 'a.png', url: text }, () => undefined, auth)).rejects.toMatchObject({ code: 'unsupported_file_type' });
  });
});
