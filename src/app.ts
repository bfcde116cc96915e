import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConversationState } from 'botbuilder';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { MainDialog } from '../dialogs/mainDialog.ts';
import type { DialogServices, Profile } from '../dialogs/services.ts';
import { message } from '../dialogs/turn.ts';
import { ChannelAdapter } from './bot/adapter.ts';
import { ConversationGateway } from './bot/conversationGateway.ts';
import { EvidenceIntakeMiddleware } from './bot/evidenceIntake.ts';
import type { CaseUpdate } from '../dialogs/caseUpdate.ts';
import { CASE_UPDATED, REFUND_DELIVERY_FAILED, RefundBot, type RefundDeliveryFailed } from './bot/refundBot.ts';
import { TranscriptMiddleware } from './bot/transcriptMiddleware.ts';
import { CaseService } from './cases/caseService.ts';
import { conversationRoutes } from './channels/api/conversationRoutes.ts';
import { fileRoutes } from './channels/api/fileRoutes.ts';
import { streamRoutes } from './channels/api/streamRoutes.ts';
import { agentRoutes } from './channels/console/agentRoutes.ts';
import { demoRoutes } from './channels/web/demoRoutes.ts';
import { widgetRoutes } from './channels/web/widgetRoutes.ts';
import { EvidenceLinks } from './evidence/signedUrls.ts';
import { createSlackDeskSocketMode, createSlackWebClient, SlackAgentDesk, type SlackDeskSocketMode, slackDeskRoutes } from './channels/slack-desk/index.ts';
import { SlackCustomerChannel } from './channels/slack-customer/index.ts';
import { WeChatApi, WeChatChannel } from './channels/wechat/index.ts';
import { BotFrameworkChannel, BotFrameworkConnector } from './channels/botframework/index.ts';
import { ConsoleDesk } from './handoff/consoleDesk.ts';
import type { Agent, AgentAction } from './handoff/types.ts';
import { evidenceRoutes } from './http/evidenceRoutes.ts';
import { HandoffService } from './handoff/handoffService.ts';
import { computeStats, type StatsOptions } from './insight/computeStats.ts';
import type { Stats, StatsQuery } from './insight/types.ts';
import { statsRoutes } from './http/statsRoutes.ts';
import { createWeeklyDigest, type WeeklyDigest } from './insight/digestScheduler.ts';
import type { Config } from './config.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { CodedError, ConfigError } from './errors.ts';
import { caseRoutes } from './http/caseRoutes.ts';
import { healthRoutes } from './http/healthRoutes.ts';
import { createHttpServer } from './http/server.ts';
import { loadPrompts, type Prompts } from './i18n/prompts.ts';
import { CASE_STATUSES } from './domain/case.ts';
import { CATEGORIES } from './domain/categories.ts';
import { type OrderDirectory, PAYMENT_METHODS } from './domain/order.ts';
import { REASON_CODES } from './policy/reasons.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { loadOrdersFile } from './orders/fileDirectory.ts';
import { HttpOrderDirectory } from './orders/httpDirectory.ts';
import { createPolicyAnswers } from './policy/answers.ts';
import { loadPolicyText } from './policy/knowledge.ts';
import { loadPolicyRules } from './policy/rules.ts';
import { PolicyRefundDesk } from './refunds/policyRefundDesk.ts';
import { CustomerRefundLimit } from './refunds/refundLimit.ts';
import { customerApiLimits } from './channels/api/rateLimits.ts';
import { HttpRefundWebhook } from './refunds/webhook/client.ts';
import { RefundDispatcher, type RefundDispatcherTiming } from './refunds/webhook/dispatcher.ts';
import type { RefundCase } from './domain/case.ts';
import { openRedisStores } from './stores/redis/index.ts';
import { openSqliteStores } from './stores/sqlite/index.ts';
import { ScopedStateStorage, ScopedTranscriptStore } from './stores/turnScope.ts';
import type { Stores } from './stores/ports.ts';
import { createOfflineUnderstander } from './understanding/offline.ts';
import { GroundedPolicyAnswers } from './llm/groundedAnswers.ts';
import { LangChainModel } from './llm/langchainModel.ts';
import { MeteredModel } from './llm/meter.ts';
import { ModelAssistedUnderstander } from './llm/modelUnderstander.ts';
import { ReplyPhraser } from './llm/phrasing.ts';
import type { Understander } from './understanding/types.ts';

/** A running assistant: the HTTP server plus what the CLI and tests reach directly. */
export interface App {
  server: FastifyInstance;
  gateway: ConversationGateway;
  handoff: HandoffService;
  stores: Stores;
  logger: Logger;
  /** The language model, when configured (its call totals: tests and the bench). */
  model?: MeteredModel;
  /** The WeChat channel, when configured (tests wait on its `idle()`). */
  wechat?: WeChatChannel;
  /** The Bot Framework channel (/api/messages), always on (tests wait on its `idle()`). */
  botFramework: BotFrameworkChannel;
  /** Slack as a customer channel, on whenever the Slack app is configured (tests wait on its `idle()`). */
  slackCustomers?: SlackCustomerChannel;
  /** The Slack agent desk, when configured: its posts to Slack run in the background (tests wait on its `idle()`). */
  slackDesk?: SlackAgentDesk;
  /** Sends approved refunds to REFUND_WEBHOOK_URL, when it is set (started by `listen`). */
  refundDispatcher?: RefundDispatcher;
  /** The weekly digest in the Slack agent channel, when Slack is configured and DIGEST_ENABLED (started by `listen`). */
  weeklyDigest?: WeeklyDigest;
  /** The merchant's figures for a period, from the stores (what /v1/stats, the CSV, the dashboard and the digest show). */
  stats(query: StatsQuery): Promise<Stats>;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Parts a caller may supply instead of the defaults (tests share one trained understander). */
export interface AppOverrides {
  clock?: Clock;
  logger?: Logger;
  understander?: Understander;
  /** The refund dispatcher's pace (tests poll and back off in milliseconds). */
  refundDispatch?: Partial<RefundDispatcherTiming>;
}

/**
 * The composition root: the one place that knows which implementation of each port is in use.
 * Everything is built from the parsed config; data files are validated here, at start-up.
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger({ level: config.LOG_LEVEL });
  const policyDir = path.join(config.knowledgeDir, 'policy');

  const prompts = loadPrompts(config.promptsDir);
  const rules = await loadPolicyRules(path.join(policyDir, 'rules.json'));
  // Merchant-edited files first: a mistake in them stops start-up at once, before training.
  const [policyText, orders] = await Promise.all([loadPolicyText(policyDir, rules), openOrders(config, clock, logger)]);
  const offlineUnderstander =
    overrides.understander ?? (await createOfflineUnderstander({ knowledgeDir: config.knowledgeDir, cacheDir: path.join(config.dataDir, 'cache') }));
  // The optional language model: it helps understand and phrase, never decides (see src/llm/).
  const model = config.OPENAI_API_KEY
    ? new MeteredModel({
        model: new LangChainModel({ apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL, timeoutMs: config.LLM_TIMEOUT_MS }),
        logger,
        promptVersion: prompts.t('en', 'llm.version'),
      })
    : undefined;
  const understander = model
    ? new ModelAssistedUnderstander({
        offline: offlineUnderstander,
        model,
        prompts,
        settings: { skipAbove: config.LLM_SKIP_CONFIDENCE, trustAbove: config.LLM_TRUST_CONFIDENCE },
      })
    : offlineUnderstander;
  requirePromptKeys(prompts, [
    ...REASON_CODES.map((code) => `decision.${code}`),
    ...CASE_STATUSES.flatMap((status) => [`case.${status}`, `status.${status}`, `notify.${status}`]),
    ...CATEGORIES.map((category) => `category.${category}`),
    ...PAYMENT_METHODS.map((method) => `payment.${method}`),
    'identity.locked',
    'refund.limited',
  ]);

  const stores = await openStores(config, clock, logger);
  // Bound late: the dispatcher needs the gateway, built further down. An approval wakes it at
  // once, so the merchant hears within a second rather than at the next poll.
  let refundDispatcher: RefundDispatcher | undefined;
  const caseService = new CaseService({
    store: stores.cases,
    clock,
    onChanged: (refundCase) => {
      if (refundCase.status === 'approved') refundDispatcher?.nudge();
    },
  });
  // Abuse limits (issue 10): refund cases per customer per day, across instances.
  const refundLimit = config.REFUND_REQUESTS_PER_CUSTOMER_PER_DAY > 0
    ? new CustomerRefundLimit({ store: stores.rateLimits, clock, logger, perDay: config.REFUND_REQUESTS_PER_CUSTOMER_PER_DAY })
    : undefined;
  const refunds = new PolicyRefundDesk({ rules, orders, cases: caseService, store: stores.cases, clock, logger, ...(refundLimit ? { refundLimit } : {}) });
  // The merchant's figures (issue 9): one definition for the API, the CSV, the dashboard and the digest.
  const statsOptions = insightOptions(config, orders);
  const stats = (query: StatsQuery): Promise<Stats> => computeStats(stores, query, { ...statsOptions, clock });

  // Inside a turn, the conversation's own state and transcript go through the turn store's
  // snapshot and single commit; the scoped wrappers route them there.
  const conversationState = new ConversationState(new ScopedStateStorage({ backend: stores.state }));
  const services: DialogServices = {
    orders,
    refunds,
    policyAnswers: createPolicyAnswers(policyText),
    ...(model ? { groundedAnswers: new GroundedPolicyAnswers({ model, prompts, knowledge: policyText }) } : {}),
    prompts,
    clock,
    settings: {
      classifyThreshold: config.CLASSIFY_THRESHOLD,
      maxAttempts: config.MAX_ATTEMPTS,
      handoffWaitMinutes: config.HANDOFF_WAIT_MINUTES,
      identityAttempts: config.IDENTITY_ATTEMPTS,
    },
    profile: conversationState.createProperty<Profile>('profile'),
    // Bound late: the handoff service needs the gateway, which needs the bot, which needs this.
    desk: {
      handoffChanged: (conversationId, handoff) => handoffService.handoffChanged(conversationId, handoff),
      customerSaid: (conversationId, activity) => handoffService.customerSaid(conversationId, activity),
    },
    logger,
  };
  const bot = new RefundBot({
    conversationState,
    dialogState: conversationState.createProperty('dialogState'),
    mainDialog: new MainDialog(services),
    understander,
    services,
  });

  const adapter = new ChannelAdapter();
  adapter.use(new EvidenceIntakeMiddleware({ evidence: stores.evidence }));
  // Before the transcript: the history holds the replies as the customer saw them.
  if (model && config.LLM_REPHRASE) adapter.use(new ReplyPhraser({ model, prompts }));
  adapter.use(new TranscriptMiddleware({ transcripts: new ScopedTranscriptStore({ backend: stores.transcripts }), clock }));
  // The one place a failed turn becomes a customer apology (bad input is the caller's to hear).
  adapter.onTurnError = async (context, error) => {
    if (error instanceof CodedError && error.fault === 'customer') throw error;
    logger.error({ err: error, conversationId: context.activity.conversation?.id }, 'turn failed');
    await context.sendActivity(message(services, context, 'error.generic'));
  };

  const gateway = new ConversationGateway({
    adapter,
    logic: (context) => bot.run(context),
    conversations: stores.conversations,
    transcripts: stores.transcripts,
    turns: stores.turns,
    events: stores.events,
    clock,
    onEffectError: (error, conversationId) => logger.warn({ err: error, conversationId }, 'an after-turn effect failed'),
  });

  // Tells a case's conversation that the case changed; false when the conversation is gone.
  const notifyCase = async (refundCase: RefundCase, note?: string): Promise<boolean> => {
    const update: CaseUpdate = { caseId: refundCase.id, ...(note ? { note } : {}) };
    return (await gateway.deliver(refundCase.conversationId, { name: CASE_UPDATED, value: update })) !== undefined;
  };
  if (config.REFUND_WEBHOOK_URL && config.REFUND_WEBHOOK_SECRET) {
    refundDispatcher = new RefundDispatcher({
      outbox: stores.refundOutbox,
      caseStore: stores.cases,
      cases: caseService,
      orders,
      webhook: new HttpRefundWebhook({ url: config.REFUND_WEBHOOK_URL, secret: config.REFUND_WEBHOOK_SECRET, timeoutMs: config.REFUND_WEBHOOK_TIMEOUT_MS, clock }),
      clock,
      logger,
      notifyCustomer: (refundCase) => notifyCase(refundCase),
      tellPeople: (refundCase, escalation) =>
        gateway.deliver(refundCase.conversationId, { name: REFUND_DELIVERY_FAILED, value: { caseId: refundCase.id, escalationId: escalation.id } satisfies RefundDeliveryFailed }),
      // A lease outlives the attempts of one batch (sent together, each within the timeout).
      timing: { leaseMs: 3 * config.REFUND_WEBHOOK_TIMEOUT_MS, ...overrides.refundDispatch },
    });
  }

  const evidenceLinks = new EvidenceLinks({ secret: evidenceLinkSecret(config), baseUrl: config.publicUrl, clock });
  const handoffService = new HandoffService({
    gateway,
    cases: stores.cases,
    orders,
    transcripts: stores.transcripts,
    deskStore: stores.desk,
    refunds,
    desk: new ConsoleDesk(),
    evidenceUrl: (evidenceId) => evidenceLinks.url(evidenceId),
    logger,
  });

  // The Slack agent desk when configured (else the built-in console desk stays).
  const slackPlugins: FastifyPluginAsync[] = [];
  let slackDesk: SlackAgentDesk | undefined;
  let slackSocket: SlackDeskSocketMode | undefined;
  let slackCustomers: SlackCustomerChannel | undefined;
  let weeklyDigest: WeeklyDigest | undefined;
  if (config.SLACK_BOT_TOKEN && config.SLACK_AGENT_CHANNEL) {
    const client = createSlackWebClient({ token: config.SLACK_BOT_TOKEN, slackApiUrl: config.SLACK_API_URL, logger });
    slackDesk = new SlackAgentDesk({ client, channel: config.SLACK_AGENT_CHANNEL, deskStore: stores.desk, evidenceUrl: (evidenceId) => evidenceLinks.url(evidenceId), logger });
    handoffService.useDesk(slackDesk);
    // Mondays 09:00 (DIGEST_TIME_ZONE): last week's figures against the week before, posted once across instances.
    if (config.DIGEST_ENABLED) {
      weeklyDigest = createWeeklyDigest({
        client,
        channel: config.SLACK_AGENT_CHANNEL,
        idempotency: stores.idempotency,
        stats,
        clock,
        logger,
        timeZone: config.DIGEST_TIME_ZONE,
        publicUrl: config.publicUrl,
      });
    }
    // Customers who write to the same app (DMs, mentions) talk to the assistant.
    slackCustomers = new SlackCustomerChannel({ gateway, client, idempotency: stores.idempotency, prompts, agentChannel: config.SLACK_AGENT_CHANNEL, evidenceUrl: (evidenceId) => evidenceLinks.url(evidenceId), logger });
    const interactions = {
      act: (conversationId: string, agent: Agent, action: AgentAction) => handoffService.act(conversationId, agent, action),
      deskStore: stores.desk,
      idempotency: stores.idempotency,
      client,
      agentChannel: config.SLACK_AGENT_CHANNEL,
      ...(config.SLACK_AGENT_USERGROUP ? { agentUsergroup: config.SLACK_AGENT_USERGROUP } : {}),
      logger,
      clock,
      evidence: stores.evidence,
      customers: slackCustomers,
    };
    if (config.SLACK_APP_TOKEN) slackSocket = createSlackDeskSocketMode({ ...interactions, appToken: config.SLACK_APP_TOKEN, slackApiUrl: config.SLACK_API_URL });
    else if (config.SLACK_SIGNING_SECRET) slackPlugins.push(slackDeskRoutes({ ...interactions, signingSecret: config.SLACK_SIGNING_SECRET, slackApiUrl: config.SLACK_API_URL }));
  }

  // The WeChat Official Account channel when configured.
  const wechat =
    config.WECHAT_TOKEN && config.WECHAT_APP_ID && config.WECHAT_APP_SECRET
      ? new WeChatChannel({
          gateway,
          idempotency: stores.idempotency,
          values: stores.values,
          api: new WeChatApi({
            baseUrl: config.WECHAT_API_BASE_URL,
            appId: config.WECHAT_APP_ID,
            appSecret: config.WECHAT_APP_SECRET,
            values: stores.values,
            locks: stores.idempotency,
          }),
          token: config.WECHAT_TOKEN,
          appId: config.WECHAT_APP_ID,
          encodingAesKeys: [config.WECHAT_ENCODING_AES_KEY, config.WECHAT_ENCODING_AES_KEY_PREVIOUS].filter((key): key is string => key !== undefined),
          logger,
        })
      : undefined;

  // The Bot Framework channel (Teams, Web Chat, Emulator): always on; JWT-checked when
  // MicrosoftAppId is set, else only the Emulator on this machine is accepted.
  const botFramework = new BotFrameworkChannel({
    gateway,
    idempotency: stores.idempotency,
    values: stores.values,
    connector: new BotFrameworkConnector({
      ...(config.MicrosoftAppId ? { appId: config.MicrosoftAppId } : {}),
      ...(config.MicrosoftAppPassword ? { appPassword: config.MicrosoftAppPassword } : {}),
      ...(config.MicrosoftAppTenantId ? { tenantId: config.MicrosoftAppTenantId } : {}),
      appType: config.MicrosoftAppType,
    }),
    prompts,
    logger,
    referenceTtlMs: Math.round(config.CONVERSATION_TTL_DAYS * 24 * 60 * 60 * 1000),
    // An agent's file reaches the customer as a signed, expiring link (as agents' own links).
    fileLink: (evidenceId) => evidenceLinks.url(evidenceId),
  });

  const server = createHttpServer({
    logger,
    cors: { origins: config.WIDGET_ORIGINS, paths: /^\/v1\/conversations(\/|\?|$)/ },
    trustProxy: config.TRUST_PROXY,
    plugins: [
      healthRoutes({ ping: () => stores.ping() }),
      // The customer conversation API behind its request limits (per address, per conversation,
      // conversation starts per address); webhooks and staff APIs stay outside them.
      customerApiLimits({
        limits: {
          perIpPerMinute: config.RATE_LIMIT_PER_IP_PER_MINUTE,
          perConversationPerMinute: config.RATE_LIMIT_PER_CONVERSATION_PER_MINUTE,
          conversationsPerIpPerHour: config.CONVERSATIONS_PER_IP_PER_HOUR,
        },
        store: stores.rateLimits,
        clock,
        logger,
        routes: [
          conversationRoutes({ gateway, customerTokenSecret: config.CUSTOMER_TOKEN_SECRET, clock }),
          streamRoutes({ gateway }),
          fileRoutes({ gateway, evidence: stores.evidence }),
        ],
      }),
      caseRoutes({
        cases: stores.cases,
        caseService,
        adminToken: config.ADMIN_TOKEN,
        publicUrl: config.PUBLIC_URL,
        notify: notifyCase,
      }),
      statsRoutes({ source: stores, clock, adminToken: config.ADMIN_TOKEN, stats: statsOptions }),
      agentRoutes({ handoff: handoffService, adminToken: config.ADMIN_TOKEN, publicUrl: config.PUBLIC_URL }),
      evidenceRoutes({ evidence: stores.evidence, links: evidenceLinks }),
      ...slackPlugins,
      ...(wechat ? [wechat.routes()] : []),
      botFramework.routes(),
      demoRoutes({ frameAncestors: config.WIDGET_ORIGINS }),
      widgetRoutes(),
    ],
  });

  return {
    server,
    gateway,
    stores,
    logger,
    handoff: handoffService,
    ...(model ? { model } : {}),
    ...(wechat ? { wechat } : {}),
    botFramework,
    ...(slackCustomers ? { slackCustomers } : {}),
    ...(slackDesk ? { slackDesk } : {}),
    ...(refundDispatcher ? { refundDispatcher } : {}),
    ...(weeklyDigest ? { weeklyDigest } : {}),
    stats,
    async listen() {
      await server.listen({ port: config.PORT, host: config.HOST });
      await slackSocket?.start();
      // Hand-overs stored while the desk was unreachable (or before a restart) reach it now.
      void handoffService.republishOpen().catch((error: unknown) => logger.warn({ err: error }, 'could not republish open hand-overs'));
      // Approvals queued before a restart (or by another instance) go out now.
      refundDispatcher?.start();
      weeklyDigest?.start();
      const address = server.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      return `http://${config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST}:${port}`;
    },
    async close() {
      await weeklyDigest?.stop();
      await refundDispatcher?.stop();
      handoffService.close();
      await slackSocket?.stop();
      // Closing the server lets interactions in flight finish; then give queued Slack deliveries a moment.
      await server.close();
      if (slackDesk) await Promise.race([Promise.all([slackDesk.idle(), slackCustomers?.idle()]), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      slackDesk?.close();
      slackCustomers?.close();
      await stores.close();
    },
  };
}

/** Every text the code can ask for must exist, or start-up stops (not a conversation). */
function requirePromptKeys(prompts: Prompts, keys: string[]): void {
  const missing = keys.filter((key) => !prompts.has(key));
  if (missing.length > 0) throw new ConfigError('prompts_incomplete', `prompts: missing ${missing.join(', ')}`);
}

/** Orders: the merchant's API when configured (looked up live), else the orders file / demo orders. */
export async function openOrders(config: Config, clock: Clock, logger: Logger): Promise<OrderDirectory> {
  if (!config.ORDERS_API_URL) return loadOrdersFile(config.ordersFile, clock);
  return new HttpOrderDirectory({
    baseUrl: config.ORDERS_API_URL,
    token: config.ORDERS_API_TOKEN,
    clock,
    logger,
    timeoutMs: config.ORDERS_API_TIMEOUT_MS,
    retries: config.ORDERS_API_RETRIES,
    cacheTtlMs: config.ORDERS_API_CACHE_SECONDS * 1000,
  });
}

/**
 * How the merchant's figures are computed here: the abandonment window from the config, and
 * product names from the orders (the SKU's name in an order that claims it).
 */
export function insightOptions(config: Config, orders: OrderDirectory): Omit<StatsOptions, 'clock'> {
  return {
    abandonedAfterMs: Math.round(config.ABANDONED_AFTER_HOURS * 60 * 60 * 1000),
    productName: async (sku, orderId) => (await orders.get(orderId))?.items.find((item) => item.sku === sku)?.name,
  };
}

/** The store backend the config asks for: Redis when REDIS_URL is set, else embedded SQLite. */
export async function openStores(config: Config, clock: Clock, logger: Logger): Promise<Stores> {
  const conversationTtlMs = Math.round(config.CONVERSATION_TTL_DAYS * 24 * 60 * 60 * 1000);
  const summaryRetentionMs = config.INSIGHT_RETENTION_DAYS * 24 * 60 * 60 * 1000;
  // Approvals are queued for the refund webhook only while it is configured (see the stores' option).
  const queueApprovals = Boolean(config.REFUND_WEBHOOK_URL);
  if (config.REDIS_URL) return openRedisStores({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, clock, conversationTtlMs, summaryRetentionMs, logger, queueApprovals });
  return openSqliteStores({ dataDir: config.dataDir, clock, conversationTtlMs, summaryRetentionMs, queueApprovals });
}

/**
 * The key that signs agents' links to proof files: EVIDENCE_LINK_SECRET, else derived from
 * ADMIN_TOKEN (so every instance agrees), else random for this process (links then work only
 * on the instance that made them — fine for one instance in development).
 */
function evidenceLinkSecret(config: Config): Buffer {
  if (config.EVIDENCE_LINK_SECRET) return Buffer.from(config.EVIDENCE_LINK_SECRET);
  if (config.ADMIN_TOKEN) return createHmac('sha256', config.ADMIN_TOKEN).update('refundbot evidence links').digest();
  return randomBytes(32);
}
