import { randomUUID } from 'node:crypto';
import { validationError } from '@nationpulse/domain';
import { SchedulerUnavailableError, type DatasetLock, type Lease } from '@nationpulse/ports';
import { Redis } from 'ioredis';

export interface RedisDatasetLockOptions {
  readonly url: string;
  /** Prepended to every lock key. Default 'np:lock:'. */
  readonly keyPrefix?: string;
  /** Upper bound of every command. Default 2 s. */
  readonly commandTimeoutMs?: number;
}

/** Compare-and-delete: only the token that took the lock frees it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Compare-and-extend: only the token that took the lock renews it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * The distributed DatasetLock: one Redis key per dataset, taken with `SET key token NX PX ttl`
 * (so it expires on its own if the holder dies) and renewed or released only through Lua
 * scripts that compare the token first.
 */
export const createRedisDatasetLock = (options: RedisDatasetLockOptions): DatasetLock => {
  const prefix = options.keyPrefix ?? 'np:lock:';
  const commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
  const redis = new Redis(options.url, {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(2_000, commandTimeoutMs),
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
  redis.on('error', () => undefined);
  const key = (dataset: string) => `${prefix}${dataset}`;

  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw new SchedulerUnavailableError(`Redis lock ${what} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  };
  const checkTtl = (ttlMs: number) => {
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw validationError('A lease TTL must be a positive integer of milliseconds', { ttlMs });
  };

  return {
    async acquire(dataset, ttlMs): Promise<Lease | null> {
      checkTtl(ttlMs);
      const token = randomUUID();
      const reply = await call('acquire', () => redis.set(key(dataset), token, 'PX', ttlMs, 'NX'));
      return reply === 'OK' ? { key: dataset, token } : null;
    },
    async renew(lease, ttlMs) {
      checkTtl(ttlMs);
      return (await call('renew', () => redis.eval(RENEW, 1, key(lease.key), lease.token, ttlMs))) === 1;
    },
    async release(lease) {
      return (await call('release', () => redis.eval(RELEASE, 1, key(lease.key), lease.token))) === 1;
    },
    async isHeld(dataset) {
      return (await call('exists', () => redis.exists(key(dataset)))) === 1;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
};
