import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threadMessageEvent } from '../slack/payloads.ts';
import { EXE, PDF, PNG } from '../evidence/fixtures.ts';
import { Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund, prompts } from '../support/drive.ts';
import { startServer, type TestServer } from '../support/server.ts';
import { signedEvent } from '../support/slackSigner.ts';
import type { SlackStandIn } from '../support/slackStandIn.ts';
import { DESK_AGENT as AGENT, DESK_CHANNEL as CHANNEL, DESK_SECRET as SECRET, deskEnv, startDeskStandIn } from '../support/slackDesk.ts';
import { until } from '../support/wait.ts';

/**
 * Files agents attach in a card's Slack thread reach the customer, end to end: the assistant
 * downloads them from the local Slack stand-in with the bot token, checks them like customers'
 * proof, and the customer downloads them from their own conversation with their token.
 */
const NOW = '2026-11-20T12:00:00Z';

let slack: SlackStandIn;
let server: TestServer;
let foreign: { server: Server; url: string; requests: string[] } | undefined;

beforeEach(async () => {
  slack = await startDeskStandIn();
  server = await startServer({ now: NOW, env: deskEnv(slack) });
});
afterEach(async () => {
  await server.close();
  await slack.close();
  if (foreign) {
    foreign.server.closeAllConnections();
    await new Promise((resolve) => foreign?.server.close(resolve));
    foreign = undefined;
  }
});

const seconds = () => Math.floor(server.clock.now().getTime() / 1000);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function disputedConversation(): Promise<{ customer: Customer; cardTs: string }> {
  const customer = new Customer(server.url);
  await customer.start('en');
  await driveRefund(customer, 'en', 'refund order 100105, the mouse is broken. chenjing@example.com', { evidence: 'photo', category: 'defective' });
  await customer.say(prompts.t('en', 'action.disagree'));
  const card = await until(() => slack.messages.find((message) => message.channel === CHANNEL && !message.thread_ts), 'the case card');
  return { customer, cardTs: card.ts };
}

/** An agent's message in the card's thread, with files (subtype file_share, as Slack sends it). */
async function agentWrites(cardTs: string, text: string, files: unknown[]): Promise<void> {
  const event = threadMessageEvent({ userId: AGENT.id, text, channel: CHANNEL, threadTs: cardTs, subtype: 'file_share', files });
  const response = await fetch(`${server.url}/slack/events`, { method: 'POST', ...signedEvent(SECRET, event, seconds()) });
  expect(response.status).toBe(200);
}

const agentMessages = async (customer: Customer) => (await customer.history()).activities.filter((activity) => activity.from.role === 'agent');
const fileUrl = (conversationId: string, evidenceId: string) => `${server.url}/v1/conversations/${conversationId}/files/${evidenceId}`;
/** What the agent was told privately in the thread. */
const toldAgent = () => slack.succeeded('chat.postEphemeral').map((call) => String(call.params.text));

describe('files from agents in Slack', () => {
  it('a PNG in the thread reaches the customer, who alone can download it', async () => {
    const { customer, cardTs } = await disputedConversation();
    await agentWrites(cardTs, 'Here is your return label.', [slack.hostFile({ name: 'return-label.png', mimetype: 'image/png', bytes: PNG })]);

    const [reply] = await until(async () => {
      const messages = await agentMessages(customer);
      return messages.some((message) => message.attachments?.length) ? messages.filter((message) => message.attachments?.length) : undefined;
    }, 'the agent message with the file');
    const evidenceId = sha256(PNG);
    expect(reply).toMatchObject({ from: { role: 'agent', name: 'Wang' }, text: 'Here is your return label.' });
    expect(reply?.attachments).toEqual([{ contentType: 'image/png', name: 'return-label.png', evidenceId }]);
    // Fetched once, from the stand-in, with the bot token.
    expect(slack.fileDownloads).toEqual([expect.objectContaining({ token: slack.botToken, served: true })]);

    // The customer downloads it with their token: header, or access_token for a plain link.
    const download = await fetch(fileUrl(customer.conversationId, evidenceId), { headers: { authorization: `Bearer ${customer.token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="return-label\.png"/);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(PNG))).toBe(true);
    const byLink = await fetch(`${fileUrl(customer.conversationId, evidenceId)}?access_token=${encodeURIComponent(customer.token)}`);
    expect(byLink.status).toBe(200);
    expect(Buffer.from(await byLink.arrayBuffer()).equals(Buffer.from(PNG))).toBe(true);

    // Nobody else: no token, another conversation's token, or the file asked of a conversation it is not in.
    const other = new Customer(server.url);
    await other.start('en');
    expect((await fetch(fileUrl(customer.conversationId, evidenceId))).status).toBe(401);
    expect((await fetch(fileUrl(customer.conversationId, evidenceId), { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(401);
    const elsewhere = await fetch(fileUrl(other.conversationId, evidenceId), { headers: { authorization: `Bearer ${other.token}` } });
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.json()).toEqual({ error: { code: 'file_not_found', message: 'no such file in this conversation' } });
    expect((await fetch(fileUrl(customer.conversationId, '../../evidence'), { headers: { authorization: `Bearer ${customer.token}` } })).status).toBe(404);

    // The customer's own proof is theirs to download too, from the same route.
    // The customer's own proof is theirs to download too, from the same route.
    await customer.say('And the photo of the mouse', [jpegAttachment()]);
    const proof = (await customer.history()).activities.flatMap((activity) => (activity.from.role === 'user' ? (activity.attachments ?? []) : []))[0];
    expect(proof?.evidenceId).toMatch(/^[0-9a-f]{64}$/);
    const own = await fetch(fileUrl(customer.conversationId, proof?.evidenceId ?? ''), { headers: { authorization: `Bearer ${customer.token}` } });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/jpeg');
  });

  it('an .exe named .png is refused and not delivered; the rest of the message goes', async () => {
    const { customer, cardTs } = await disputedConversation();
    const disguised = slack.hostFile({ name: 'photo.png', mimetype: 'image/png', bytes: EXE });
    await agentWrites(cardTs, '', [disguised]);
    await until(() => toldAgent().find((text) => text.includes('photo.png') && text.includes('Nothing was sent.')), 'the agent told the file was refused');
    expect(await agentMessages(customer)).toEqual([]);
    expect(await server.app.stores.evidence.get(sha256(EXE))).toBeUndefined();

    // With text and a good file beside it: those go, the bad one does not.
    await agentWrites(cardTs, 'The invoice, as asked.', [slack.hostFile({ name: 'setup.png', mimetype: 'image/png', bytes: EXE }), slack.hostFile({ name: '发票.pdf', mimetype: 'application/pdf', bytes: PDF })]);
    const reply = await until(async () => (await agentMessages(customer)).find((message) => message.text === 'The invoice, as asked.'), 'the agent message');
    expect(reply.attachments).toEqual([{ contentType: 'application/pdf', name: '发票.pdf', evidenceId: sha256(PDF) }]);
    // A Chinese name survives the download header (Latin-1 only): an ASCII fallback and the UTF-8 name.
    const invoice = await fetch(fileUrl(customer.conversationId, sha256(PDF)), { headers: { authorization: `Bearer ${customer.token}` } });
    expect(invoice.status).toBe(200);
    expect(invoice.headers.get('content-disposition')).toBe(`attachment; filename="__.pdf"; filename*=UTF-8''${encodeURIComponent('发票.pdf')}`);
    expect(toldAgent().some((text) => text.includes('setup.png') && !text.includes('Nothing was sent.'))).toBe(true);
    expect((await customer.history()).activities.flatMap((activity) => activity.attachments ?? []).map((file) => file.name)).not.toContain('setup.png');

    // A file alone (no text) goes as a message without text.
    await agentWrites(cardTs, '', [slack.hostFile({ name: 'label.png', mimetype: 'image/png', bytes: PNG })]);
    const alone = await until(async () => (await agentMessages(customer)).find((message) => message.attachments?.some((file) => file.name === 'label.png')), 'the file-only message');
    expect(alone).not.toHaveProperty('text');
  });

  it('never fetches a file link on a foreign host', async () => {
    const requests: string[] = [];
    const stranger = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(Buffer.from(PNG));
    });
    await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
    foreign = { server: stranger, url: `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`, requests };

    const { customer, cardTs } = await disputedConversation();
    const genuine = slack.hostFile({ name: 'label.png', mimetype: 'image/png', bytes: PNG });
    // A payload pointing the bot token somewhere else (same host, another port: another origin).
    const planted = { ...genuine, id: 'F0PLANTED', name: 'planted.png', url_private: `${foreign.url}/x.png`, url_private_download: `${foreign.url}/files-pri/T0001TEAM-F0PLANTED/download/planted.png` };
    await agentWrites(cardTs, 'See the label.', [planted]);
    const reply = await until(async () => (await agentMessages(customer)).find((message) => message.text === 'See the label.'), 'the agent message');
    expect(reply.attachments).toBeUndefined();
    expect(toldAgent().some((text) => text.includes('planted.png') && text.includes('not on Slack'))).toBe(true);
    expect(requests).toEqual([]);
    expect(slack.fileDownloads).toEqual([]);
  });
});
