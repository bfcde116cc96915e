import { createClient } from 'redis';
import { ConfigError, UpstreamError } from '../../errors.ts';
import { isErrorReply } from './errors.ts';
import type { RedisConnection } from './link.ts';

/** Where the Redis stores report trouble they handle themselves (a pino logger fits). */
export interface StoreLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** Options of `connectRedis`. */
export interface ConnectOptions {
  url: string;
  /** Give up starting after this long without both connections ready. */
  connectTimeoutMs: number;
  logger?: StoreLogger;
}

// Reconnection after a lost connection: exponential backoff from 50 ms up to 2 s, with jitter so
// that many instances do not hammer a Redis that is coming back all at the same moment. It never
// gives up: the process recovers by itself whenever Redis returns.
const MAX_BACKOFF_MS = 2_000;
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, MAX_BACKOFF_MS) + Math.floor(Math.random() * 100);
}

/**
 * Opens the two connections the Redis stores use: `commands` fails fast while Redis is down
 * (`disableOfflineQueue`), `subscriber` (a duplicate, for pub/sub) keeps its queue so that
 * subscriptions survive reconnections. Both reconnect by themselves with backoff.
 *
 * Rejects within `connectTimeoutMs` when Redis cannot be reached, with an error naming REDIS_URL
 * (password hidden) and the cause: `ConfigError` when Redis answered but refused us (bad
 * password, unknown user, wrong database), `UpstreamError` `redis_unreachable` otherwise.
 */
export async function connectRedis(options: ConnectOptions): Promise<{ commands: RedisConnection; subscriber: RedisConnection }> {
  const shownUrl = redactUrl(options.url);
  let started = false;
  // At start-up, a Redis that answers but refuses us (bad password, no such database) will not
  // change its mind: give up at once. Once running, keep trying (a password being rotated).
  const reconnectStrategy = (retries: number, cause: Error): number | false =>
    !started && isErrorReply(cause) ? false : reconnectDelay(retries);
  let commands: ReturnType<typeof createClient>;
  try {
    commands = createClient({
      url: options.url,
      name: 'refundbot',
      disableOfflineQueue: true,
      socket: { connectTimeout: options.connectTimeoutMs, reconnectStrategy },
    });
  } catch (error) {
    throw new ConfigError('invalid_redis_url', `REDIS_URL=${shownUrl} is not a usable Redis URL: ${messageOf(error)}`, { cause: error });
  }
  const subscriber = commands.duplicate({ disableOfflineQueue: false });

  let lastError: unknown;
  for (const [role, client] of [['commands', commands], ['subscriber', subscriber]] as const) {
    let down = false;
    // node-redis emits 'error' on every failed (re)connection attempt; an EventEmitter without
    // an 'error' listener would crash the process instead.
    client.on('error', (error: unknown) => {
      lastError = error;
      if (!started || down) return;
      down = true;
      options.logger?.warn({ err: error, connection: role, url: shownUrl }, 'Redis connection lost; reconnecting');
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      options.logger?.info({ connection: role, url: shownUrl }, 'Redis connection restored');
    });
  }

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.connectTimeoutMs);
  });
  // connect() keeps retrying with the reconnect strategy until it succeeds; the timeout decides.
  const connecting = Promise.all([commands.connect(), subscriber.connect()]).then(
    () => 'ready' as const,
    (error: unknown) => {
      lastError = error;
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([connecting, timeout]);
  clearTimeout(timer);
  if (outcome === 'ready') {
    started = true;
    return { commands: commands as unknown as RedisConnection, subscriber: subscriber as unknown as RedisConnection };
  }

  for (const client of [commands, subscriber]) {
    try {
      client.destroy();
    } catch {
      // Already closed: nothing to stop.
    }
  }
  const cause = lastError ?? new Error(`no connection within ${options.connectTimeoutMs} ms`);
  const message = `Cannot use Redis at REDIS_URL=${shownUrl}: ${messageOf(cause)}`;
  // An error reply means Redis is there but refuses these settings (credentials, database).
  if (isErrorReply(cause)) throw new ConfigError('redis_refused', message, { cause });
  throw new UpstreamError('redis_unreachable', message, { cause });
}

/** The URL with its password replaced, fit for error messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a valid URL)';
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message || error.constructor.name;
  return String(error);
}
