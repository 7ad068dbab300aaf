import { createHash } from 'node:crypto';
import { NationPulseError } from '@nationpulse/domain';
import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  readonly url: string;
  /** Upper bound for every command and for waiting on the connection. Default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** The port's own "unavailable" error, with the reason. */
  readonly unavailable: (message: string, cause: unknown) => NationPulseError;
  /** What the adapter is called in its errors, e.g. 'Redis cache'. */
  readonly name: string;
  /** A subscriber connection: no command timeout (it blocks by design) and its subscriptions restored on reconnect. */
  readonly subscriber?: boolean;
}

/** Server replies that mean "not now" rather than "wrong request". */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOAUTH|WRONGPASS|NOPERM|OOM)\b/;

const isReplyError = (err: unknown): err is Error => err instanceof Error && err.name === 'ReplyError';

export interface RedisConnection {
  readonly redis: Redis;
  /**
   * A Lua script run atomically on the server: EVALSHA, loading it again when the server
   * forgot it (a restart, SCRIPT FLUSH). Call it through `call`.
   */
  script: (lua: string) => (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;
  /** Connected first (bounded wait; at once when known down), then driver errors translated to the port's. */
  call: <T>(fn: () => Promise<T>) => Promise<T>;
  close: () => Promise<void>;
}

/**
 * One ioredis connection as every adapter of this package uses it: a dead or slow Redis fails
 * calls fast with the port's "unavailable" error (no offline queue, bounded retries, a timeout on
 * every command), so callers can degrade instead of piling up.
 */
export const createRedisConnection = (options: RedisConnectionOptions): RedisConnection => {
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  const redis = new Redis(options.url, {
    ...(options.subscriber ? {} : { commandTimeout: commandTimeoutMs }),
    connectTimeout: Math.max(2_000, commandTimeoutMs),
    // Commands are never queued while disconnected: they fail at once instead of piling up
    // and running late (a stale SET after an invalidation).
    enableOfflineQueue: false,
    // Commands in flight when the connection drops are retried once, then fail.
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });

  let lastError: unknown;
  let closed = false;
  let connecting: Promise<void> | undefined;
  // Known down: from a failed attempt or a lost connection until the next 'ready'. Calls then
  // fail at once instead of each waiting for the next reconnect attempt.
  let down = false;
  // Without a listener ioredis reports every failed reconnect as an unhandled error.
  redis.on('error', (err: unknown) => {
    lastError = err;
    down = true;
  });
  redis.on('close', () => {
    down = true;
  });
  redis.on('ready', () => {
    down = false;
    lastError = undefined;
  });

  const unavailable = (cause: unknown): NationPulseError =>
    options.unavailable(`${options.name} unavailable: ${cause instanceof Error ? cause.message : 'not connected'}`, cause);

  const ready = async (): Promise<void> => {
    if (closed) throw options.unavailable(`The ${options.name} is closed`, undefined);
    const status = redis.status;
    if (status === 'ready') return;
    if (down || (status !== 'wait' && status !== 'connecting' && status !== 'connect')) throw unavailable(lastError);
    connecting ??= new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        clearTimeout(timer);
        redis.off('ready', onReady).off('error', onError).off('end', onEnd);
        connecting = undefined;
        if (err === undefined) resolve();
        else reject(unavailable(err));
      };
      const onReady = () => done();
      const onError = (err: unknown) => done(err);
      const onEnd = () => done(new Error('Connection is closed'));
      const timer = setTimeout(() => done(new Error(`No connection within ${commandTimeoutMs} ms`)), commandTimeoutMs);
      redis.once('ready', onReady).once('error', onError).once('end', onEnd);
      if (redis.status === 'wait') redis.connect().catch(() => undefined);
    });
    return connecting;
  };

  return {
    redis,
    script(lua) {
      const sha = createHash('sha1').update(lua).digest('hex');
      return async (keys, args) => {
        try {
          return await redis.evalsha(sha, keys.length, ...keys, ...args);
        } catch (err) {
          if (!(isReplyError(err) && err.message.startsWith('NOSCRIPT'))) throw err;
          return redis.eval(lua, keys.length, ...keys, ...args);
        }
      };
    },
    async call(fn) {
      await ready();
      try {
        return await fn();
      } catch (err) {
        if (err instanceof NationPulseError) throw err;
        if (isReplyError(err) && !UNAVAILABLE_REPLY.test(err.message)) throw err;
        throw unavailable(err);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (redis.status === 'ready') {
        try {
          await redis.quit();
          return;
        } catch {
          // fall through: drop the connection
        }
      }
      redis.disconnect();
    },
  };
};
