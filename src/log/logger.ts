import pino, { type DestinationStream, type Logger } from 'pino';
import { maskDeep, maskPii } from './mask.ts';

export type { Logger } from 'pino';

/**
 * Structured logs (JSON lines). Every record passes through `maskDeep`, so emails, phones and
 * card numbers never reach a log in clear, whatever a caller passes.
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'refundbot' },
      formatters: { log: (record) => maskDeep(record) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // Mask the message string too (the formatter only sees the merged object).
          const masked = args.map((arg) => (typeof arg === 'string' ? maskPii(arg) : arg)) as typeof args;
          method.apply(this, masked);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
