import {
  AbortError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from 'redis';
import { CodedError, UpstreamError } from '../../errors.ts';

// Replies with which Redis says "not now" rather than "never": a dataset still loading, a
// replica after a failover, a script or a full memory. They are Redis's trouble, not a bug here.
const TRANSIENT_REPLIES = /^(LOADING|READONLY|BUSY|MASTERDOWN|OOM|TRYAGAIN|NOREPLICAS|CLUSTERDOWN|MISCONF)\b/;

// node-redis errors that mean the connection is down, closed or too slow (with
// `disableOfflineQueue`, a command sent while reconnecting fails at once with ClientOfflineError).
const CONNECTION_ERRORS: readonly (new (...args: never[]) => Error)[] = [
  ClientOfflineError,
  ClientClosedError,
  SocketClosedUnexpectedlyError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ReconnectStrategyError,
  SocketTimeoutError,
  TimeoutError,
  AbortError,
];

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** `UpstreamError` `store_unavailable` (503): Redis cannot be reached or cannot serve now. */
export function storeUnavailable(detail: string, cause?: unknown): UpstreamError {
  return new UpstreamError('store_unavailable', `The Redis store is unavailable: ${detail}`, { cause });
}

/** Whether the server answered with an error reply (as opposed to the connection failing). */
export function isErrorReply(error: unknown): error is ErrorReply {
  return error instanceof ErrorReply;
}

/**
 * Turns whatever node-redis threw into a `CodedError` that says whose fault it is: connection
 * trouble and transient server states are upstream (503, the caller may retry), any other error
 * reply means this code sent something Redis refuses (a bug: wrong type, bad script).
 */
export function toStoreError(error: unknown, command: string): CodedError {
  if (error instanceof CodedError) return error;
  if (isErrorReply(error)) {
    if (TRANSIENT_REPLIES.test(error.message)) return storeUnavailable(error.message, error);
    return new CodedError('bug', 'redis_command_failed', `Redis refused ${command}: ${error.message}`, 500, { cause: error });
  }
  if (error instanceof Error) {
    const code = 'code' in error ? String(error.code) : '';
    if (CONNECTION_ERRORS.some((type) => error instanceof type) || SOCKET_CODES.has(code)) {
      return storeUnavailable(error.message || error.constructor.name, error);
    }
    return new CodedError('bug', 'internal_error', `${command} failed: ${error.message}`, 500, { cause: error });
  }
  return new CodedError('bug', 'internal_error', `${command} failed: ${String(error)}`, 500, { cause: error });
}
