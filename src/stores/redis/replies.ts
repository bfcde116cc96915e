import { CodedError } from '../../errors.ts';

// Redis replies checked for the shape a command or script promises. A mismatch means a bug here
// (or a key overwritten by something else), never a customer's doing, so it is not coerced.
function unexpected(what: string, reply: unknown): CodedError {
  const shown = typeof reply === 'string' ? JSON.stringify(reply.slice(0, 40)) : Array.isArray(reply) ? 'an array' : String(reply);
  return new CodedError('bug', 'unexpected_redis_reply', `Unexpected Redis reply for ${what}: ${shown}`, 500);
}

/** An integer reply. */
export function integerReply(reply: unknown, what: string): number {
  if (typeof reply === 'number' && Number.isSafeInteger(reply)) return reply;
  throw unexpected(what, reply);
}

/** A bulk string, or undefined for a nil reply. */
export function optionalStringReply(reply: unknown, what: string): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  throw unexpected(what, reply);
}

/** A bulk string that must be there. */
export function stringReply(reply: unknown, what: string): string {
  if (typeof reply === 'string') return reply;
  throw unexpected(what, reply);
}

/** A bulk string asked for as a Buffer, or undefined for a nil reply. */
export function optionalBufferReply(reply: unknown, what: string): Buffer | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (Buffer.isBuffer(reply)) return reply;
  throw unexpected(what, reply);
}

/** An array reply (its elements are checked by the caller). */
export function arrayReply(reply: unknown, what: string): unknown[] {
  if (Array.isArray(reply)) return reply;
  throw unexpected(what, reply);
}
