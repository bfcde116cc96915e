import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundActivity } from '../../src/channels/botframework/activity.ts';
import { BotFrameworkConnector } from '../../src/channels/botframework/connector.ts';

const APP_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const ISSUER = 'https://api.botframework.com';
const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const KID = 'test-signing-key';

/**
 * The Bot Framework's OpenID metadata and signing keys, served on 127.0.0.1 the way
 * login.botframework.com serves them (`jwks_uri`, RSA keys with `endorsements`), so that tokens
 * signed here are checked by the SDK exactly as the Bot Service's are.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication#connector-to-bot
 */
let metadata: Server;
let metadataUrl: string;
let key: KeyObject;
let otherKey: KeyObject;
let up = true;

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  key = pair.privateKey;
  otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = pair.publicKey.export({ format: 'jwk' });
  metadata = createServer((request, response) => {
    if (!up) return response.writeHead(503).end();
    const base = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
    response.writeHead(200, { 'content-type': 'application/json' });
    if (request.url === '/v1/.well-known/openidconfiguration') response.end(JSON.stringify({ issuer: ISSUER, jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
    else response.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: KID, n: jwk.n, e: jwk.e, endorsements: ['msteams', 'webchat'] }] }));
  });
  await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
  metadataUrl = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`;
});

afterAll(async () => {
  await new Promise((resolve) => metadata.close(resolve));
});

function jwt(claims: Record<string, unknown>, signer: KeyObject = key, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT', kid: KID }): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode(header)}.${encode(claims)}`;
  return `${body}.${sign('sha256', Buffer.from(body), createPrivateKey(signer.export({ format: 'pem', type: 'pkcs8' }))).toString('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: APP_ID, serviceurl: SERVICE_URL, nbf: now - 60, exp: now + 3600, ...overrides };
}

function activity(channelId = 'msteams'): InboundActivity {
  return {
    type: 'message',
    id: '1',
    channelId,
    serviceUrl: SERVICE_URL,
    from: { id: '29:user' },
    recipient: { id: `28:${APP_ID}` },
    conversation: { id: 'a:personal' },
    text: 'refund',
  };
}

describe('Bot Framework tokens (MicrosoftAppId set)', () => {
  const connector = () => new BotFrameworkConnector({ appId: APP_ID, appPassword: 'not-a-real-secret', appType: 'MultiTenant', openIdMetadataUrl: metadataUrl });

  it("accepts a channel token signed with the Bot Framework's published key, for our app and this serviceUrl", async () => {
    const auth = await connector().authenticate(activity(), `Bearer ${jwt(claims())}`);
    expect(typeof auth.token).toBe('function');
  });

  it.each([
    ['another app', claims({ aud: '00000000-0000-0000-0000-000000000000' })],
    ['another serviceUrl', claims({ serviceurl: 'https://attacker.example/' })],
    ['expired', claims({ exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 })],
    ['another issuer', claims({ iss: 'https://sts.attacker.example/' })],
  ])('refuses a token for %s (401)', async (_what, tokenClaims) => {
    await expect(connector().authenticate(activity(), `Bearer ${jwt(tokenClaims)}`)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('refuses a token signed with another key under the same key id, and one for a channel the key does not endorse (401)', async () => {
    await expect(connector().authenticate(activity(), `Bearer ${jwt(claims(), otherKey)}`)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    await expect(connector().authenticate(activity('slack'), `Bearer ${jwt(claims())}`)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
  });

  it('answers 503 (the Bot Service retries) when the signing keys cannot be loaded', async () => {
    up = false;
    try {
      const unreachable = new BotFrameworkConnector({ appId: APP_ID, appPassword: 'x', appType: 'MultiTenant', openIdMetadataUrl: metadataUrl.replace('/v1/', '/v1-down/') });
      await expect(unreachable.authenticate(activity(), `Bearer ${jwt(claims())}`)).rejects.toMatchObject({ code: 'botframework_auth_unavailable', status: 503 });
    } finally {
      up = true;
    }
  });

  it('with authentication off, accepts the Emulator on this machine only', async () => {
    const off = new BotFrameworkConnector({ appType: 'MultiTenant' });
    expect(await (await off.authenticate({ ...activity('emulator'), serviceUrl: 'http://localhost:53000' }, undefined)).token()).toBeUndefined();
    await expect(off.authenticate(activity('emulator'), undefined)).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
  });
});
