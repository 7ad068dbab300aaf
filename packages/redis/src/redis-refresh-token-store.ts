import { RefreshTokenStoreUnavailableError, type RefreshTokenStore, type RotationOutcome } from '@nationpulse/ports';
import { createRedisConnection } from './connection.ts';

export interface RedisRefreshTokenStoreOptions {
  readonly url: string;
  /** Prepended to every key; default 'np:'. */
  readonly keyPrefix?: string;
  /** Upper bound for every command; default 1000 ms. */
  readonly commandTimeoutMs?: number;
}

/**
 * KEYS: presented token, its family, the successor. ARGV: now, the successor's expiry.
 * Reads and writes in one script, so two gateways rotating one token cannot both win.
 */
const ROTATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'unknown'} end
local family = redis.call('HMGET', KEYS[2], 'userId', 'revoked', 'expiresAt')
if not family[1] then return {'unknown'} end
if family[2] == '1' then return {'revoked'} end
local token = redis.call('HMGET', KEYS[1], 'expiresAt', 'spent')
if tonumber(ARGV[1]) >= tonumber(token[1]) then return {'expired'} end
if token[2] == '1' then
  redis.call('HSET', KEYS[2], 'revoked', '1')
  return {'reused', family[1]}
end
redis.call('HSET', KEYS[1], 'spent', '1')
redis.call('HSET', KEYS[3], 'expiresAt', ARGV[2], 'spent', '0')
redis.call('PEXPIREAT', KEYS[3], ARGV[2])
if tonumber(ARGV[2]) > tonumber(family[3]) then
  redis.call('HSET', KEYS[2], 'expiresAt', ARGV[2])
  redis.call('PEXPIREAT', KEYS[2], ARGV[2])
end
return {'rotated', family[1]}
`;

/** KEYS: presented token, its family. */
const REVOKE = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'revoked', '1')
return 1
`;

/**
 * Refresh tokens on Redis, shared by every gateway instance. A family is a hash (user, revoked,
 * expiry) and each token a hash (expiry, spent) under the family's hash tag, so a rotation's keys
 * live in one cluster slot; every key expires with the last token that needs it.
 */
export const createRedisRefreshTokenStore = (options: RedisRefreshTokenStoreOptions): RefreshTokenStore => {
  const prefix = options.keyPrefix ?? 'np:';
  const connection = createRedisConnection({
    url: options.url,
    ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    name: 'Redis refresh token store',
    unavailable: (message, cause) => new RefreshTokenStoreUnavailableError(message, { cause }),
  });
  const { redis, call } = connection;
  const familyKey = (familyId: string) => `${prefix}rf:{${familyId}}`;
  const tokenKey = (familyId: string, tokenHash: string) => `${prefix}rt:{${familyId}}:${tokenHash}`;
  const rotate = connection.script(ROTATE);
  const revoke = connection.script(REVOKE);

  return {
    async issue(record) {
      const family = familyKey(record.familyId);
      const token = tokenKey(record.familyId, record.tokenHash);
      await call(async () => {
        const results = await redis
          .multi()
          .hset(family, 'userId', record.userId, 'revoked', '0', 'expiresAt', String(record.expiresAt))
          .pexpireat(family, record.expiresAt)
          .hset(token, 'expiresAt', String(record.expiresAt), 'spent', '0')
          .pexpireat(token, record.expiresAt)
          .exec();
        const failed = results?.find(([err]) => err)?.[0];
        if (!results || failed) throw failed ?? new Error('Redis transaction was aborted');
      });
    },
    async rotate(presented, next, now) {
      const reply = (await call(() =>
        rotate([tokenKey(presented.familyId, presented.tokenHash), familyKey(presented.familyId), tokenKey(presented.familyId, next.tokenHash)], [now, next.expiresAt]),
      )) as [string, string?];
      const [outcome, userId] = reply;
      if ((outcome === 'rotated' || outcome === 'reused') && userId !== undefined) return { outcome, userId, familyId: presented.familyId };
      return { outcome } as RotationOutcome;
    },
    async revokeFamily(presented) {
      const reply = await call(() => revoke([tokenKey(presented.familyId, presented.tokenHash), familyKey(presented.familyId)], []));
      return reply === 1;
    },
    close: () => connection.close(),
  };
};
