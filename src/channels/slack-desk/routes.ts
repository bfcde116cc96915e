import { defaultBodyLimit } from '@slack/bolt';
import type { FastifyPluginAsync } from 'fastify';
import { systemClock } from '../../domain/clock.ts';
import { createDeskBoltApp, type SlackAppOptions } from './boltApp.ts';
import { RoutableBody } from './payloads.ts';
import { RouteReceiver } from './routeReceiver.ts';
import { checkSlackSignature } from './signature.ts';

export interface SlackDeskRoutesOptions extends SlackAppOptions {
  /** The app's signing secret (Basic Information → App Credentials). */
  signingSecret: string;
  /** Where Slack posts events and interactivity; `/slack/events` by default, as Bolt's. */
  path?: string;
  /** Base URL of Bolt's own Web API client (the listeners use `client`). */
  slackApiUrl?: string;
}

/**
 * The Slack desk's HTTP door: one URL for the Events API and interactivity, as Bolt's default.
 * Transport only: verify the signature over the raw body (401 when it is bad or more than five
 * minutes off), parse the body (JSON for events and `url_verification`; a form with a JSON
 * `payload` for interactivity), answer Slack's URL check, and hand the rest to Bolt.
 * https://docs.slack.dev/apis/events-api/#url_verification
 * https://docs.slack.dev/interactivity/handling-user-interaction#payloads
 *
 * Closing the server waits for listeners still working on earlier requests.
 */
export function slackDeskRoutes(options: SlackDeskRoutesOptions): FastifyPluginAsync {
  if (!options?.signingSecret) throw new TypeError('slackDeskRoutes: options.signingSecret is required');
  const clock = options.clock ?? systemClock;
  const logger = options.logger;
  const receiver = new RouteReceiver({ logger });
  createDeskBoltApp({ ...options, receiver });
  const path = options.path ?? '/slack/events';

  return async (app) => {
    // The signature covers the raw bytes, so this plugin keeps them. Content-type parsers are
    // encapsulated: the rest of the server keeps Fastify's own JSON parser.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: defaultBodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    app.addHook('onClose', async () => receiver.stop());

    app.post(path, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
      const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      // Slack's SSL check (slash-command URLs) carries nothing to act on; Bolt answers it unverified too.
      if (isForm && new URLSearchParams(rawBody).get('ssl_check') === '1') return reply.code(200).send();

      const verdict = checkSlackSignature({
        signingSecret: options.signingSecret,
        rawBody,
        timestamp: header(request.headers['x-slack-request-timestamp']),
        signature: header(request.headers['x-slack-signature']),
        now: clock.now(),
      });
      if (!verdict.ok) {
        logger.warn({ reason: verdict.reason }, 'slack desk: request refused');
        return reply.code(401).send({ error: { code: 'invalid_signature', message: 'invalid or expired Slack signature' } });
      }

      const body = parseSlackBody(rawBody, isForm);
      if (!body) return reply.code(400).send({ error: { code: 'bad_request', message: 'unreadable Slack payload' } });
      if (body.type === 'url_verification') return reply.send({ challenge: body.challenge });
      // Bolt throws on a payload whose routing fields have the wrong types: not a Slack payload.
      if (!RoutableBody.safeParse(body).success) return reply.code(400).send({ error: { code: 'bad_request', message: 'not a Slack event or interaction payload' } });

      const retryNum = header(request.headers['x-slack-retry-num']);
      const retryReason = header(request.headers['x-slack-retry-reason']);
      const answer = await receiver.dispatch(body, {
        ...(retryNum && /^\d+$/.test(retryNum) ? { num: Number(retryNum) } : {}),
        ...(retryReason ? { reason: retryReason } : {}),
      });
      reply.code(answer.status);
      return answer.body === undefined ? reply.send() : reply.send(answer.body);
    });
  };
}

/** The request body as an object: JSON, or a form whose `payload` field is JSON (interactivity). */
export function parseSlackBody(raw: string, isForm: boolean): Record<string, unknown> | undefined {
  try {
    if (isForm) {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      return asObject(payload !== null ? JSON.parse(payload) : Object.fromEntries(form));
    }
    return asObject(JSON.parse(raw));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
