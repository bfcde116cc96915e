import { type Activity, CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationReference, TurnContext } from 'botbuilder';
import { AppCredentials, type AuthenticateRequestResult, AuthenticationConstants, AuthenticationError } from 'botframework-connector';
import { InputError, UpstreamError } from '../../errors.ts';
import { type InboundActivity, isLoopbackUrl } from './activity.ts';

/** How the bot's identity is registered (the Azure Bot resource's "Type of App"). */
export type MicrosoftAppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

/** The Azure Bot resource's identity; no `appId`: authentication off (the Emulator on this machine). */
export interface BotFrameworkCredentials {
  appId?: string;
  appPassword?: string;
  appType: MicrosoftAppType;
  tenantId?: string;
  /**
   * Where the signing keys of channel tokens are published (OpenID metadata); default the
   * public cloud's, https://login.botframework.com/v1/.well-known/openidconfiguration. Tests
   * point it at a stand-in to check real signed tokens offline.
   */
  openIdMetadataUrl?: string;
}

/** What an authenticated inbound activity leaves for the turn that runs after the answer. */
export interface InboundAuth {
  /**
   * The bot's bearer token for files on the channel's own service (Teams inline images);
   * undefined when authentication is off. Asked for only when such a file must be fetched.
   */
  token(): Promise<string | undefined>;
}

/** Errors from the `jsonwebtoken` package the SDK validates tokens with: the token is bad, not us. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * The Bot Framework side of the channel, built on botbuilder's `CloudAdapter` and the
 * `ConfigurationBotFrameworkAuthentication` it is constructed with.
 *
 * Inbound, we call `authenticateRequest` of that same authentication object — the first step of
 * `CloudAdapter.process` — ourselves rather than `process`/`processActivityDirect`, because our
 * turns run later through the conversation gateway (its turn store and transcript), after the
 * HTTP answer; and so that a bad token is a 401 here and not a stack trace the SDK prints to the
 * console (`process`) or an untyped error (`processActivityDirect`).
 * Outbound, every reply is proactive: `continueConversationAsync` with the stored conversation
 * reference, which fetches and caches the bot's token for the Connector when authentication is on.
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
 */
export class BotFrameworkConnector {
  readonly #authentication: ConfigurationBotFrameworkAuthentication;
  readonly #adapter: CloudAdapter;
  readonly #appId: string | undefined;

  constructor(credentials: BotFrameworkCredentials) {
    this.#appId = credentials.appId;
    this.#authentication = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: credentials.appId ?? '',
      MicrosoftAppPassword: credentials.appPassword ?? '',
      MicrosoftAppType: credentials.appType,
      MicrosoftAppTenantId: credentials.tenantId ?? '',
      ...(credentials.openIdMetadataUrl ? publicCloud(credentials.openIdMetadataUrl) : {}),
    });
    this.#adapter = new CloudAdapter(this.#authentication);
  }

  /** Whether inbound requests must carry a Bot Framework JWT (MicrosoftAppId is set). */
  get authenticationEnabled(): boolean {
    return this.#appId !== undefined;
  }

  /**
   * Checks that the activity comes from the Bot Framework (the JWT in `Authorization`, issued
   * for our app id and, for channel tokens, for the activity's serviceUrl) or, with
   * authentication off, from the Emulator on this machine. Throws InputError 401 for a request
   * that is not, UpstreamError 503 when the token cannot be checked (the signing keys are
   * unreachable: the Bot Service retries).
   */
  async authenticate(activity: InboundActivity, authorization: string | undefined): Promise<InboundAuth> {
    if (!this.authenticationEnabled && !isLoopbackUrl(activity.serviceUrl)) {
      throw new InputError('unauthorized', 'authentication is off (no MicrosoftAppId): only the Emulator on this machine (a loopback serviceUrl) may post', 401);
    }
    let result: AuthenticateRequestResult;
    try {
      result = await this.#authentication.authenticateRequest(activity as unknown as Activity, authorization ?? '');
    } catch (error) {
      const name = (error as { name?: unknown } | undefined)?.name;
      if ((error instanceof AuthenticationError && error.statusCode === 401) || (typeof name === 'string' && TOKEN_ERRORS.has(name))) {
        throw new InputError('unauthorized', 'missing or invalid Bot Framework token', 401, { cause: error });
      }
      throw new UpstreamError('botframework_auth_unavailable', 'could not check the Bot Framework token', { cause: error });
    }
    let token: Promise<string | undefined> | undefined;
    return {
      token: () => {
        token ??= this.#token(result, activity.serviceUrl);
        return token;
      },
    };
  }

  /** The conversation reference of an inbound activity, to reach its conversation later. */
  reference(activity: InboundActivity): Partial<ConversationReference> {
    return TurnContext.getConversationReference(activity as unknown as Partial<Activity>);
  }

  /**
   * Sends activities into a conversation, in order, as the bot (a proactive message): as replies
   * to the reference's activity (ReplyToActivity; in a Teams channel they stay in the customer's
   * thread), or into the conversation when it has none (SendToConversation: Web Chat's
   * conversationUpdate). `context.sendActivities` would reply to the id of the SDK's own
   * continuation event instead, so the reference is applied here and the adapter sends.
   */
  async send(reference: Partial<ConversationReference>, activities: Partial<Activity>[]): Promise<void> {
    if (activities.length === 0) return;
    await this.#adapter.continueConversationAsync(this.#appId ?? '', reference, async (context) => {
      const outgoing = activities.map((activity) => TurnContext.applyConversationReference({ ...activity }, reference));
      await context.adapter.sendActivities(context, outgoing);
    });
  }

  async #token(result: AuthenticateRequestResult, serviceUrl: string): Promise<string | undefined> {
    if (!this.authenticationEnabled || !result.connectorFactory) return undefined;
    // The Connector client the SDK would use for this conversation carries the app's credentials.
    const client = await result.connectorFactory.create(serviceUrl, result.audience);
    const credentials = client.credentials;
    return credentials instanceof AppCredentials ? credentials.getToken() : undefined;
  }
}

/**
 * The public cloud's settings with another OpenID metadata URL. The SDK takes either none of
 * these (its public-cloud defaults) or all of them, so naming one means naming every one.
 */
function publicCloud(openIdMetadataUrl: string): Record<string, string | boolean> {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}
