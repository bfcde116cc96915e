import { CodedError, ConfigError, UpstreamError } from '../../errors.ts';
import type { LuaScript, RedisLink } from './link.ts';
import { stringReply } from './replies.ts';

// ZRANGE … BYSCORE (6.2) in the case scripts; scripts replicated by their effects (the default
// since 5) so that they may read TIME and then write.
const MINIMUM_VERSION = [6, 2] as const;

/**
 * Makes sure the server can run these stores before the app starts serving: a recent enough
 * Redis, and the Lua scripts cached (so that a turn's first script call is a plain EVALSHA).
 * Errors name REDIS_URL: `ConfigError` when the operator must change something, `UpstreamError`
 * `redis_unreachable` when Redis went away meanwhile.
 */
export async function prepareServer(link: RedisLink, scripts: readonly LuaScript[], shownUrl: string): Promise<void> {
  const failure = (what: string, error: unknown): CodedError => {
    const message = `Cannot use Redis at REDIS_URL=${shownUrl}: ${what}: ${error instanceof Error ? error.message : String(error)}`;
    if (error instanceof CodedError && error.fault === 'upstream') return new UpstreamError('redis_unreachable', message, { cause: error });
    // A refusal (an ACL without INFO or scripting, for one) needs the operator to act.
    return new ConfigError('redis_refused', message, { cause: error });
  };

  let info: string;
  try {
    info = stringReply(await link.command(['INFO', 'server']), 'INFO server');
  } catch (error) {
    throw failure('reading its version failed', error);
  }
  const version = /^redis_version:(\d+)\.(\d+)/m.exec(info);
  const [major, minor] = version ? [Number(version[1]), Number(version[2])] : [0, 0];
  // A server that does not say (some Redis-compatible services) is given the benefit of the doubt.
  if (version && (major < MINIMUM_VERSION[0] || (major === MINIMUM_VERSION[0] && minor < MINIMUM_VERSION[1]))) {
    throw new ConfigError(
      'redis_too_old',
      `Redis at REDIS_URL=${shownUrl} is version ${major}.${minor}; these stores need ${MINIMUM_VERSION.join('.')} or newer`,
    );
  }

  try {
    await link.loadScripts(scripts);
  } catch (error) {
    throw failure('loading the Lua scripts failed', error);
  }
}
