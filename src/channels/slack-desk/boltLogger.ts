import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../log/logger.ts';

/**
 * Bolt and the Web API client log through their own `Logger` interface; this routes them into
 * our structured (and PII-masking) pino logger, whose level stays the one in charge.
 * Bolt's chatter (request debug lines) stays at debug.
 */
export function boltLogger(logger: Logger, name = 'slack'): SlackLogger {
  const child = logger.child({ component: name });
  const join = (msg: unknown[]) => msg.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : safeJson(part))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.debug(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    // Levels are set once, on our logger; Bolt's calls to change them are ignored on purpose.
    setLevel: () => undefined,
    getLevel: () => LogLevel.DEBUG,
    setName: () => undefined,
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
