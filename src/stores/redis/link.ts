import { createHash } from 'node:crypto';
import { RESP_TYPES, type RedisArgument, type TypeMapping } from 'redis';
import { isErrorReply, storeUnavailable, toStoreError } from './errors.ts';

/** The parts of a node-redis client these stores use (keeps node-redis's generics out of the stores). */
export interface RedisConnection {
  sendCommand(args: readonly RedisArgument[], options?: { typeMapping?: TypeMapping }): Promise<unknown>;
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  unsubscribe(channel: string, listener: (message: string, channel: string) => void): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  readonly isOpen: boolean;
}

/** A Lua script run by its SHA-1 (EVALSHA), with its source at hand for a server that lost it. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha1: string;
}

/** Defines a Lua script; `name` appears in error messages. */
export function defineLua(name: string, source: string): LuaScript {
  return { name, source, sha1: createHash('sha1').update(source).digest('hex') };
}

/** Listener of a pub/sub channel: the message and the channel it came on. */
export type ChannelListener = (message: string, channel: string) => void;

// Blob strings as Buffers, for binary values (evidence bytes); everything else stays a string.
const BUFFERS: TypeMapping = { [RESP_TYPES.BLOB_STRING]: Buffer };

// How long close() lets pending commands finish before dropping the connection.
const CLOSE_GRACE_MS = 1_000;

/**
 * The one way these stores talk to Redis: every command, script call and (un)subscription goes
 * through here, so that `roundTrips()` counts every network round trip the stores make, errors
 * are turned into `CodedError`s in one place, and no call waits longer than `commandTimeoutMs`.
 *
 * Two connections: `commands` (with node-redis's offline queue disabled, so a command sent while
 * Redis is down fails at once instead of queueing) and `subscriber`, the process's single pub/sub
 * connection (RESP2 reserves a subscribed connection for pub/sub), which keeps its offline queue
 * so subscriptions made while reconnecting are sent, and restored, once Redis is back.
 */
export class RedisLink {
  readonly #commands: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #timeoutMs: number;
  #roundTrips = 0;

  constructor(options: { commands: RedisConnection; subscriber: RedisConnection; commandTimeoutMs: number }) {
    this.#commands = options.commands;
    this.#subscriber = options.subscriber;
    this.#timeoutMs = options.commandTimeoutMs;
  }

  /** Network round trips to Redis made so far. */
  roundTrips(): number {
    return this.#roundTrips;
  }

  /** Sends one command; blob strings come back as strings. */
  command(args: readonly RedisArgument[]): Promise<unknown> {
    return this.#send(args, undefined, String(args[0]));
  }

  /** Sends one command; blob strings come back as Buffers (for binary values). */
  binaryCommand(args: readonly RedisArgument[]): Promise<unknown> {
    return this.#send(args, BUFFERS, String(args[0]));
  }

  /**
   * Runs a script in one round trip with EVALSHA. Scripts are loaded at start-up; a Redis that
   * restarted since has forgotten them (NOSCRIPT), and then the source is sent once with EVAL,
   * which also caches it again.
   */
  async script(script: LuaScript, keys: readonly string[], args: readonly RedisArgument[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await this.#send(['EVALSHA', script.sha1, ...tail], undefined, script.name, true);
    } catch (error) {
      if (!isNoScript(error)) throw toStoreError(error, script.name);
    }
    return this.#send(['EVAL', script.source, ...tail], undefined, script.name);
  }

  /** Caches the scripts in Redis so that their first call is a plain EVALSHA. */
  async loadScripts(scripts: readonly LuaScript[]): Promise<void> {
    await Promise.all(scripts.map((script) => this.#send(['SCRIPT', 'LOAD', script.source], undefined, `SCRIPT LOAD ${script.name}`)));
  }

  /**
   * Subscribes the pub/sub connection to `channel`. While Redis is down this waits for the
   * reconnection (callers bound the wait themselves); node-redis subscribes again by itself
   * after every reconnection.
   */
  async subscribe(channel: string, listener: ChannelListener): Promise<void> {
    this.#roundTrips++;
    try {
      await this.#subscriber.subscribe(channel, listener);
    } catch (error) {
      throw toStoreError(error, 'SUBSCRIBE');
    }
  }

  async unsubscribe(channel: string, listener: ChannelListener): Promise<void> {
    this.#roundTrips++;
    try {
      await this.#subscriber.unsubscribe(channel, listener);
    } catch (error) {
      throw toStoreError(error, 'UNSUBSCRIBE');
    }
  }

  /** Closes both connections (idempotent): pending commands get a moment to finish. */
  async close(): Promise<void> {
    await Promise.all([closeConnection(this.#commands), closeConnection(this.#subscriber)]);
  }

  async #send(args: readonly RedisArgument[], typeMapping: TypeMapping | undefined, name: string, raw = false): Promise<unknown> {
    this.#roundTrips++;
    let timer: NodeJS.Timeout | undefined;
    // node-redis v5 has no deadline for a command already written to the socket: without this,
    // a Redis that stopped answering (network partition) would hold requests until TCP gives up.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeUnavailable(`no answer to ${name} within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#commands.sendCommand(args, typeMapping ? { typeMapping } : undefined), deadline]);
    } catch (error) {
      throw raw ? error : toStoreError(error, name);
    } finally {
      clearTimeout(timer);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return isErrorReply(error) && error.message.startsWith('NOSCRIPT');
}

async function closeConnection(connection: RedisConnection): Promise<void> {
  if (!connection.isOpen) return;
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, CLOSE_GRACE_MS);
  });
  try {
    await Promise.race([connection.close(), graceOver]);
  } catch {
    // Closing a connection that is down can fail; it is dropped below either way.
  } finally {
    clearTimeout(timer);
  }
  if (connection.isOpen) {
    try {
      connection.destroy();
    } catch {
      // Already closed in the meantime: nothing left to drop.
    }
  }
}
