import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { isTimeZone } from './insight/week.ts';

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** The environment, validated once at start-up. Nothing else reads `process.env`. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  KNOWLEDGE_DIR: z.string().min(1).default('./knowledge'),
  PROMPTS_DIR: z.string().min(1).default('./prompts'),
  ORDERS_FILE: optionalString,
  ADMIN_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Below this confidence the assistant asks one clarifying question about the reason. */
  CLASSIFY_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6),
  /** Expected wait for a person, told to the customer on escalation. */
  HANDOFF_WAIT_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  /** Failed tries at one question before the assistant offers a person. */
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Redis for state, cases and cross-instance messages; unset: the embedded SQLite store. */
  /** Signs customer tokens for logged-in shop customers (data-customer-token on the widget). */
  CUSTOMER_TOKEN_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /**
   * Origins (https://shop.example) whose pages may embed the widget and call the conversation API,
   * comma-separated. They go verbatim into CORS and CSP frame-ancestors headers, so each must be
   * a bare origin as browsers write it: no path, quotes, `;`, spaces or line breaks.
   */
  WIDGET_ORIGINS: optionalString.transform((value, context) => {
    const origins = (value ?? '').split(',').map((origin) => origin.trim()).filter(Boolean);
    for (const origin of origins) {
      const problem = originProblem(origin);
      if (problem) context.addIssue({ code: 'custom', message: `${JSON.stringify(origin)} ${problem}` });
    }
    return origins;
  }),
  /** The address customers and agents reach this server at (links in Slack cards). */
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Signs agents' links to proof files; several instances must share it (default: derived from ADMIN_TOKEN). */
  EVIDENCE_LINK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
  /** Prefix of every Redis key, so several deployments (or tests) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('refundbot:'),
  /** Conversations (state, history, proof files, desk entries, privacy links) are deleted this long after their last message; cases are kept. */
  CONVERSATION_TTL_DAYS: z.coerce.number().min(1 / 24).max(3650).default(30),
  /** Conversation summaries (turns, abandonment, hand-overs: the merchant's figures) are kept this long after the conversation started. */
  INSIGHT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /** A conversation idle this long while the assistant waits for an answer (and no case) counts as abandoned. */
  ABANDONED_AFTER_HOURS: z.coerce.number().min(1 / 60).max(30 * 24).default(24),
  /** The Slack agent desk: a bot token (xoxb-), the channel id agents work in, and the signing secret (HTTP) or an app token (Socket Mode). */
  SLACK_BOT_TOKEN: optionalString.pipe(z.string().startsWith('xoxb-', 'must be a bot token (xoxb-…)').optional()),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_AGENT_CHANNEL: optionalString.pipe(z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a channel id (C… or G…), not a name').optional()),
  SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'must be an app-level token (xapp-…)').optional()),
  /** Members of this user group (S…) may act on cards even outside the agent channel. */
  SLACK_AGENT_USERGROUP: optionalString.pipe(z.string().regex(/^S[A-Z0-9]+$/, 'must be a user group id (S…)').optional()),
  SLACK_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()).transform((url) => url ?? 'https://slack.com/api/'),
  /** The WeChat Official Account channel (/wechat): the server Token, AppID and AppSecret from the account's developer settings. */
  WECHAT_TOKEN: optionalString,
  WECHAT_APP_ID: optionalString,
  WECHAT_APP_SECRET: optionalString,
  /** Safe mode: the 43-character EncodingAESKey, and the one before it while WeChat switches over. */
  WECHAT_ENCODING_AES_KEY: optionalString.pipe(z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey').optional()),
  WECHAT_ENCODING_AES_KEY_PREVIOUS: optionalString.pipe(z.string().regex(/^[A-Za-z0-9+/]{43}$/, 'must be the 43-character EncodingAESKey').optional()),
  WECHAT_API_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()).transform((url) => url ?? 'https://api.weixin.qq.com'),
  /**
   * The Bot Framework channel (/api/messages: Teams, Web Chat, the Emulator), always on: the
   * Azure Bot resource's Microsoft App ID and secret. Without an app id, authentication is off
   * (the Emulator) and only loopback service URLs are accepted.
   * https://learn.microsoft.com/azure/bot-service/bot-builder-authentication
   */
  MicrosoftAppId: optionalString.pipe(z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be the app (client) id, a GUID').optional()),
  MicrosoftAppPassword: optionalString,
  /** The app registration's directory (tenant) id: required for SingleTenant and UserAssignedMSI. */
  MicrosoftAppTenantId: optionalString,
  /** How the bot's identity is registered: https://learn.microsoft.com/azure/bot-service/bot-builder-authentication#bot-identity-information */
  MicrosoftAppType: optionalString.pipe(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional()).transform((type) => type ?? 'MultiTenant'),
  /**
   * The optional language model: any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, vLLM,
   * Ollama, Qwen, DeepSeek). Without a key the assistant is fully offline.
   */
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  OPENAI_MODEL: optionalString.transform((model) => model ?? 'gpt-4o-mini'),
  /** The longest a customer waits for the model on one call; past it the offline answer is used. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /** The offline understanding answers alone when it is at least this sure (no model call). */
  LLM_SKIP_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.85),
  /** The model's intent or reason replaces the offline one when the model is at least this sure. */
  LLM_TRUST_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.7),
  /** Let the model rephrase the assistant's replies (facts checked unchanged): one more call per reply. */
  LLM_REPHRASE: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  /**
   * The merchant's order API (README "Your order API"): orders are looked up live instead of in
   * ORDERS_FILE / the demo orders. The token is sent as `Authorization: Bearer …`.
   */
  ORDERS_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ORDERS_API_TOKEN: optionalString,
  /** The longest one try at the order API waits (a customer waits for it). */
  ORDERS_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
  /** Further tries after a network error, a timeout, 5xx or 429. */
  ORDERS_API_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** How long an order's answer is reused; 0 asks the API on every lookup. */
  ORDERS_API_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /**
   * The merchant's refund webhook: each approved refund is POSTed there, signed with the secret
   * (HMAC-SHA256, `Refundbot-Signature: t=…,v1=…`), retried until accepted. Both or neither.
   */
  REFUND_WEBHOOK_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/ })
      // fetch refuses such URLs, and the secret already authenticates every request.
      .refine((url) => new URL(url).username === '' && new URL(url).password === '', 'must not contain a user name or password')
      .optional(),
  ),
  REFUND_WEBHOOK_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** The longest one delivery attempt waits for the merchant's answer. */
  REFUND_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** The weekly digest in the Slack agent channel (Mondays 09:00), on whenever the Slack desk is; `false` turns it off. */
  DIGEST_ENABLED: z
    .enum(['true', 'false', '1', '0', ''])
    .default('true')
    .transform((value) => value !== 'false' && value !== '0'),
  /** The IANA time zone the digest's weeks (Monday to Sunday) and its Monday 09:00 are counted in. */
  DIGEST_TIME_ZONE: optionalString
    .refine((zone) => zone === undefined || isTimeZone(zone), 'must be an IANA time zone such as Asia/Shanghai or Europe/Berlin')
    .transform((zone) => zone ?? 'Asia/Shanghai'),
  /**
   * Abuse limits (README "Security and reliability"); 0 turns a limit off. Requests to the
   * customer conversation API per client address and per conversation per minute (counted in
   * each instance's memory), and conversation starts per client address per hour (shared by
   * every instance through the store).
   */
  RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(300),
  RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(60),
  CONVERSATIONS_PER_IP_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /** Wrong identity answers for one order before the order is locked for that conversation; 0: never locked. */
  IDENTITY_ATTEMPTS: z.coerce.number().int().min(0).max(100).default(3),
  /** Refund cases opened per shop customer per day (UTC), shared by every instance; 0: no limit. */
  REFUND_REQUESTS_PER_CUSTOMER_PER_DAY: z.coerce.number().int().min(0).max(10_000).default(5),
  /**
   * Which proxies in front of the server to believe about the client's address
   * (X-Forwarded-For), as Fastify's `trustProxy`: unset or false: none (the connection's address
   * counts); true: any; or the proxies' comma-separated addresses and CIDRs. Not a hop count:
   * Fastify 5 ignores those (a client reaching the server directly could forge the hops).
   * https://fastify.dev/docs/latest/Reference/Server/#trustproxy
   */
  TRUST_PROXY: optionalString.transform((value, context) => parseTrustProxy(value, context)),
});

export type Config = z.infer<typeof ConfigSchema> & {
  /** PUBLIC_URL, or this machine's address. */
  publicUrl: string;
  /** Absolute paths resolved against the working directory. */
  dataDir: string;
  knowledgeDir: string;
  promptsDir: string;
  ordersFile: string;
};

/**
 * Parses the environment. A bad value throws a ConfigError naming the variable; the caller
 * prints it and exits.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError('invalid_config', `invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const slackSet = (['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_AGENT_CHANNEL', 'SLACK_APP_TOKEN'] as const).filter((name) => config[name] !== undefined);
  if (slackSet.length > 0) {
    // Half a Slack setup would silently leave escalations off Slack: name what is missing.
    const missing: string[] = (['SLACK_BOT_TOKEN', 'SLACK_AGENT_CHANNEL'] as const).filter((name) => config[name] === undefined);
    if (!config.SLACK_SIGNING_SECRET && !config.SLACK_APP_TOKEN) missing.push('SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN)');
    if (missing.length > 0) throw new ConfigError('invalid_config', `invalid configuration: ${missing.join(', ')}: required for the Slack agent desk (set with ${slackSet.join(', ')})`);
  }
  const wechatSet = (['WECHAT_TOKEN', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'WECHAT_ENCODING_AES_KEY', 'WECHAT_ENCODING_AES_KEY_PREVIOUS'] as const).filter((name) => config[name] !== undefined);
  if (wechatSet.length > 0) {
    // The channel needs all three; half a setup would accept messages it cannot answer.
    const missing: string[] = (['WECHAT_TOKEN', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET'] as const).filter((name) => config[name] === undefined);
    if (config.WECHAT_ENCODING_AES_KEY_PREVIOUS && !config.WECHAT_ENCODING_AES_KEY) missing.push('WECHAT_ENCODING_AES_KEY');
    if (missing.length > 0) throw new ConfigError('invalid_config', `invalid configuration: ${missing.join(', ')}: required for the WeChat channel (set with ${wechatSet.join(', ')})`);
  }
  if (Boolean(config.REFUND_WEBHOOK_URL) !== Boolean(config.REFUND_WEBHOOK_SECRET)) {
    // A URL without a secret would send unsigned refunds; a secret without a URL, nothing at all.
    const [missing, set] = config.REFUND_WEBHOOK_URL ? ['REFUND_WEBHOOK_SECRET', 'REFUND_WEBHOOK_URL'] : ['REFUND_WEBHOOK_URL', 'REFUND_WEBHOOK_SECRET'];
    throw new ConfigError('invalid_config', `invalid configuration: ${missing}: required for the refund webhook (set with ${set})`);
  }
  const botFrameworkProblem = botFrameworkSettingsProblem(config);
  if (botFrameworkProblem) throw new ConfigError('invalid_config', `invalid configuration: ${botFrameworkProblem}`);
  // Two sources of orders would leave the merchant guessing which one decides refunds.
  if (config.ORDERS_API_URL && config.ORDERS_FILE) throw new ConfigError('invalid_config', 'invalid configuration: ORDERS_FILE: must not be set with ORDERS_API_URL (orders come from one place)');
  if (config.ORDERS_API_TOKEN && !config.ORDERS_API_URL) throw new ConfigError('invalid_config', 'invalid configuration: ORDERS_API_URL: required with ORDERS_API_TOKEN');
  const knowledgeDir = path.resolve(cwd, config.KNOWLEDGE_DIR);
  return {
    ...config,
    publicUrl: config.PUBLIC_URL ?? `http://localhost:${config.PORT}`,
    dataDir: path.resolve(cwd, config.DATA_DIR),
    knowledgeDir,
    promptsDir: path.resolve(cwd, config.PROMPTS_DIR),
    ordersFile: config.ORDERS_FILE ? path.resolve(cwd, config.ORDERS_FILE) : path.join(knowledgeDir, 'orders.demo.json'),
  };
}

/**
 * What is missing or contradictory in the Bot Framework settings, naming the variable; the SDK
 * would otherwise fail later, on the first message, with an assertion. Rules as in botbuilder's
 * ConfigurationServiceClientCredentialFactory (MultiTenant / SingleTenant / UserAssignedMSI).
 */
function botFrameworkSettingsProblem(config: z.infer<typeof ConfigSchema>): string | undefined {
  const { MicrosoftAppId: appId, MicrosoftAppPassword: password, MicrosoftAppTenantId: tenantId, MicrosoftAppType: type } = config;
  if (!appId) {
    const set: string[] = (['MicrosoftAppPassword', 'MicrosoftAppTenantId'] as const).filter((name) => config[name] !== undefined);
    if (type !== 'MultiTenant') set.push('MicrosoftAppType');
    return set.length > 0 ? `MicrosoftAppId: required for the Bot Framework channel (set with ${set.join(', ')})` : undefined;
  }
  if (type === 'UserAssignedMSI') {
    if (password) return 'MicrosoftAppPassword: must not be set with MicrosoftAppType=UserAssignedMSI (the managed identity has no secret)';
    if (!tenantId) return 'MicrosoftAppTenantId: required with MicrosoftAppType=UserAssignedMSI';
    return undefined;
  }
  if (!password) return `MicrosoftAppPassword: required with MicrosoftAppId (MicrosoftAppType=${type})`;
  if (type === 'SingleTenant' && !tenantId) return 'MicrosoftAppTenantId: required with MicrosoftAppType=SingleTenant';
  return undefined;
}

/** Fastify's `trustProxy` from TRUST_PROXY; a bad entry is a config error naming it. */
function parseTrustProxy(value: string | undefined, context: z.RefinementCtx): boolean | string[] {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    context.addIssue({ code: 'custom', message: 'a hop count is not supported (Fastify ignores it: a direct client could forge the hops); give the proxies\' addresses or CIDRs, e.g. 10.0.0.0/8' });
    return false;
  }
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    // proxy-addr's named ranges, an address, or an address/prefix.
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || extra !== undefined) {
      context.addIssue({ code: 'custom', message: `${entry} is not true, false, or an address or CIDR (10.0.0.0/8, loopback)` });
    }
  }
  return entries;
}

/** Why a WIDGET_ORIGINS entry is not a bare origin (`scheme://host[:port]`, lower case), or undefined. */
function originProblem(origin: string): string | undefined {
  const shape = 'is not an origin like https://shop.example (scheme://host[:port]: no path, quotes, ;, spaces or line breaks)';
  if (!/^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(origin)) return shape;
  let normalised: string;
  try {
    normalised = new URL(origin).origin;
  } catch {
    return shape; // a port above 65535, an invalid IP address
  }
  // Browsers send origins lower-case, without a default port: anything else would never match.
  return normalised === origin ? undefined : `must be written as browsers send it: ${normalised}`;
}

/** The process environment, read here and nowhere else. */
export function loadConfigFromEnv(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig({ ...process.env, ...overrides });
}
