import { assertValidRateLimit, RateLimiterUnavailableError, type RateLimiter } from '@nationpulse/ports';
import { createRedisConnection } from './connection.ts';

export interface RedisRateLimiterOptions {
  readonly url: string;
  /** Prepended to every key; default 'np:'. */
  readonly keyPrefix?: string;
  /** Upper bound for every command; default 250 ms (it sits on every request's path). */
  readonly commandTimeoutMs?: number;
}

/**
 * A token bucket in one hash, updated atomically. Time is Redis' own clock, so gateway instances
 * with skewed clocks still share one budget. KEYS: the bucket. ARGV: limit, windowMs.
 * Returns {allowed (0|1), remaining, retryAfterMs}.
 */
const CONSUME = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(bucket[1])
local ts = tonumber(bucket[2])
if tokens == nil or ts == nil then tokens = limit; ts = now end
local rate = limit / window
tokens = math.min(limit, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(window))
return {allowed, math.floor(tokens), retry}
`;

/** The rate limiter on Redis: every gateway instance draws from the same buckets. */
export const createRedisRateLimiter = (options: RedisRateLimiterOptions): RateLimiter => {
  const prefix = options.keyPrefix ?? 'np:';
  const connection = createRedisConnection({
    url: options.url,
    commandTimeoutMs: options.commandTimeoutMs ?? 250,
    name: 'Redis rate limiter',
    unavailable: (message, cause) => new RateLimiterUnavailableError(message, { cause }),
  });
  const consume = connection.script(CONSUME);
  return {
    async consume(key, limit) {
      assertValidRateLimit(limit);
      const [allowed, remaining, retryAfterMs] = (await connection.call(() => consume([`${prefix}rl:${key}`], [limit.limit, limit.windowMs]))) as [number, number, number];
      return { allowed: allowed === 1, remaining, retryAfterMs };
    },
    close: () => connection.close(),
  };
};
