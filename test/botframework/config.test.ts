import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const APP_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

describe('Bot Framework settings', () => {
  it('are off by default (the Emulator), MultiTenant', () => {
    const config = loadConfig({});
    expect(config.MicrosoftAppId).toBeUndefined();
    expect(config.MicrosoftAppType).toBe('MultiTenant');
  });

  it('take an app id with its password, and a single-tenant or managed-identity registration', () => {
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's3cret' })).toMatchObject({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'MultiTenant' });
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's3cret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'contoso.onmicrosoft.com' }).MicrosoftAppType).toBe('SingleTenant');
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 'tenant' }).MicrosoftAppType).toBe('UserAssignedMSI');
  });

  it.each([
    [{ MicrosoftAppPassword: 's3cret' }, /MicrosoftAppId: required for the Bot Framework channel \(set with MicrosoftAppPassword\)/],
    [{ MicrosoftAppType: 'SingleTenant' }, /MicrosoftAppId: required/],
    [{ MicrosoftAppId: APP_ID }, /MicrosoftAppPassword: required with MicrosoftAppId/],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', MicrosoftAppType: 'SingleTenant' }, /MicrosoftAppTenantId: required with MicrosoftAppType=SingleTenant/],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' }, /MicrosoftAppPassword: must not be set/],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI' }, /MicrosoftAppTenantId: required/],
    [{ MicrosoftAppId: 'my-bot', MicrosoftAppPassword: 's' }, /MicrosoftAppId: must be the app \(client\) id/],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's', MicrosoftAppType: 'MultiTenantish' }, /MicrosoftAppType/],
  ])('stop on %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
