import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIDENCE_LINK_TTL_MS, EvidenceLinks } from '../../src/evidence/signedUrls.ts';
import { Customer, jpegAttachment } from '../support/client.ts';
import { driveRefund } from '../support/drive.ts';
import { ADMIN_TOKEN, startServer, type TestServer } from '../support/server.ts';

/**
 * Who may read and write what, endpoint by endpoint: a conversation's token opens that
 * conversation only; every staff endpoint needs the admin token; proof links are signed. Each
 * refusal is checked to change nothing.
 */
let server: TestServer;
let alice: Customer;
let bob: Customer;
let caseId: string;
let evidenceId: string;

beforeAll(async () => {
  server = await startServer({ now: '2026-11-20T12:00:00Z' });
  alice = new Customer(server.url);
  await alice.start('en');
  const run = await driveRefund(alice, 'en', { text: 'The speaker from order 100102 is broken, it does not turn on. My email is hanmeimei@example.com', attachments: [jpegAttachment()] }, { confirm: 'yes', category: 'defective' });
  caseId = run.summary.id;
  const photo = run.replies.flatMap((reply) => reply.attachments ?? []).find((attachment) => attachment.evidenceId);
  const history = await alice.history();
  evidenceId = photo?.evidenceId ?? history.activities.flatMap((activity) => activity.attachments ?? []).find((attachment) => attachment.evidenceId)?.evidenceId ?? '';
  bob = new Customer(server.url);
  await bob.start('en');
});
afterAll(async () => {
  await server.close();
});

const as = (token: string | undefined) => (token ? { authorization: `Bearer ${token}` } : {});

describe('a conversation token opens that conversation only', () => {
  it("refuses another customer's token on every conversation endpoint, and nothing is written", async () => {
    const before = (await alice.history()).activities.length;
    const attempts = [
      fetch(`${server.url}/v1/conversations/${alice.conversationId}/activities`, { method: 'POST', headers: { ...as(bob.token), 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'cancel my refund' }) }),
      fetch(`${server.url}/v1/conversations/${alice.conversationId}/activities`, { headers: as(bob.token) }),
      fetch(`${server.url}/v1/conversations/${alice.conversationId}/stream`, { headers: as(bob.token) }),
      fetch(`${server.url}/v1/conversations/${alice.conversationId}/files/${evidenceId}`, { headers: as(bob.token) }),
      fetch(`${server.url}/v1/conversations/${alice.conversationId}/activities`, { headers: as(undefined) }),
      fetch(`${server.url}/v1/conversations/${alice.conversationId}/activities`, { headers: as(`${alice.token.slice(0, -1)}x`) }),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(401);
    expect((await alice.history()).activities.length).toBe(before);
  });

  it("does not serve a file of one conversation through another's, even with a valid token", async () => {
    expect(evidenceId).toMatch(/^[0-9a-f]{64}$/);
    const own = await fetch(`${server.url}/v1/conversations/${alice.conversationId}/files/${evidenceId}`, { headers: as(alice.token) });
    expect(own.status).toBe(200);
    const other = await fetch(`${server.url}/v1/conversations/${bob.conversationId}/files/${evidenceId}`, { headers: as(bob.token) });
    expect(other.status).toBe(404);
  });
});

describe('staff endpoints need the admin token', () => {
  const staff = () => [
    ['GET', `/v1/cases?orderId=100102`],
    ['GET', `/v1/cases/${caseId}`],
    ['POST', `/v1/cases/${caseId}/status`, { status: 'cancelled' }],
    ['POST', `/v1/cases/${caseId}/refunded`, {}],
    ['GET', '/v1/desk/conversations'],
    ['GET', `/v1/desk/conversations/${alice.conversationId}`],
    ['POST', `/v1/desk/conversations/${alice.conversationId}/actions`, { agent: 'Mallory', action: { kind: 'take_over' } }],
    ['GET', '/v1/stats'],
    ['GET', '/v1/stats.csv'],
  ] as const;

  it('answers 401 without it, with a customer token and with a wrong one, and changes nothing', async () => {
    for (const token of [undefined, alice.token, `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1)]) {
      for (const [method, path, body] of staff()) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: { ...as(token), ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        expect(response.status, `${method} ${path} with ${token ? 'a wrong token' : 'no token'}`).toBe(401);
      }
    }
    const refundCase = await server.app.stores.cases.get(caseId);
    expect(refundCase?.status).toBe('approved');
    expect(await server.app.stores.desk.getOpen(alice.conversationId)).toBeUndefined();
  });

  it('serves them with it', async () => {
    for (const [method, path] of staff().filter(([method]) => method === 'GET')) {
      const response = await fetch(`${server.url}${path}`, { method, headers: as(ADMIN_TOKEN) });
      expect(response.status, `${method} ${path}`).toBe(200);
    }
  });
});

describe('proof links for agents', () => {
  it('open with their signature until they expire, and never unsigned, tampered with or for another file', async () => {
    // The server derives the link key from ADMIN_TOKEN when EVIDENCE_LINK_SECRET is unset (src/app.ts).
    const links = new EvidenceLinks({ secret: createHmac('sha256', ADMIN_TOKEN).update('refundbot evidence links').digest(), baseUrl: server.url, clock: server.clock });
    const good = links.url(evidenceId);
    expect((await fetch(good)).status).toBe(200);
    const url = new URL(good);
    const signature = url.searchParams.get('signature') ?? '';
    expect((await fetch(`${server.url}/v1/evidence/${evidenceId}`)).status).toBe(400);
    const tampered = new URL(good);
    tampered.searchParams.set('signature', `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
    expect((await fetch(tampered)).status).toBe(403);
    const longer = new URL(good);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 86_400_000));
    expect((await fetch(longer)).status).toBe(403);
    const otherFile = new URL(good.replace(evidenceId, 'f'.repeat(64)));
    expect((await fetch(otherFile)).status).toBe(403);
    server.clock.advance(EVIDENCE_LINK_TTL_MS + 1000);
    expect((await fetch(good)).status).toBe(403);
  });
});
