import { randomUUID } from 'node:crypto';
import { validationError } from '@nationpulse/domain';
import {
  CacheUnavailableError,
  type Cache,
  type PermissionsCache,
  type RankedMember,
  type Rankings,
  type ResponseCache,
} from '@nationpulse/ports';
import type { ChainableCommander } from 'ioredis';
import { createRedisConnection } from './connection.ts';

export interface RedisCacheOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  readonly url: string;
  /** Prepended to every key this cache touches; default 'np:'. */
  readonly keyPrefix?: string;
  /**
   * Upper bound for every command, and for waiting on the connection: past it the call fails
   * with CacheUnavailableError. Default 1000 ms.
   */
  readonly commandTimeoutMs?: number;
}

/** Keys, members or score/member pairs sent in one command. */
const BATCH = 1_000;
/** A temporary board being built for `replace` expires on its own if the writer dies. */
const TEMP_BOARD_TTL_MS = 10 * 60_000;

/** Escapes Redis glob syntax (`* ? [ ] \`) so a SCAN MATCH pattern matches the text literally. */
export const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const parseScore = (raw: string): number => {
  const lower = raw.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(raw) + 0; // -0 is 0
};

const validScores = (entries: readonly RankedMember[]): (string | number)[] => {
  const args: (string | number)[] = [];
  for (const { member, score } of entries) {
    if (typeof score !== 'number' || !Number.isFinite(score)) {
      throw validationError(`Score of ${JSON.stringify(member)} must be a finite number`, { member, score: String(score) });
    }
    args.push(score + 0, member);
  }
  return args;
};

const assertCount = (name: string, value: number): void => {
  if (!Number.isInteger(value) || value < 0) throw validationError(`${name} must be a non-negative integer`, { [name]: value });
};

/** Runs a transaction; a failed command inside it fails the whole call. */
const execAll = async (tx: ChainableCommander): Promise<unknown[]> => {
  const results = await tx.exec();
  if (results === null) throw new Error('Redis transaction was aborted');
  return results.map(([err, result]) => {
    if (err) throw err;
    return result;
  });
};

/**
 * The cache port on Redis: strings with PX for responses, sorted sets for rankings, hashes for
 * permissions, all under one key prefix. A dead or slow Redis fails calls fast with
 * CacheUnavailableError (no offline queue, bounded retries, a timeout on every command), so
 * callers can fall back to the read store.
 */
export function createRedisCache(options: RedisCacheOptions): Cache {
  const prefix = options.keyPrefix ?? 'np:';
  const commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
  const responseKey = (key: string) => `${prefix}r:${key}`;
  const boardKey = (board: string) => `${prefix}z:${board}`;
  const tempBoardKey = () => `${prefix}zt:${randomUUID()}`;
  const userKey = (userId: string) => `${prefix}p:${userId}`;

  const connection = createRedisConnection({
    url: options.url,
    commandTimeoutMs,
    name: 'Redis cache',
    unavailable: (message, cause) => new CacheUnavailableError(message, { cause }),
  });
  const { redis, call } = connection;

  const unlinkAll = async (keys: readonly string[]): Promise<number> => {
    let count = 0;
    for (const batch of chunks(keys, BATCH)) count += await redis.unlink(...batch);
    return count;
  };

  const responses: ResponseCache = {
    get: (key) => call(() => redis.get(responseKey(key))),
    async set(key, value, ttlMs) {
      if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw validationError('ttlMs must be a positive, finite number of milliseconds', { ttlMs: String(ttlMs) });
      }
      await call(() => redis.set(responseKey(key), value, 'PX', Math.ceil(ttlMs)));
    },
    async delete(keys) {
      if (keys.length === 0) return;
      await call(() => unlinkAll(keys.map(responseKey)));
    },
    deleteByPrefix: (keyPrefix) =>
      call(async () => {
        // SCAN, never KEYS: it does not block the server. It may return a key twice;
        // UNLINK counts only what it actually removed, so the total stays exact.
        const pattern = `${escapeGlob(responseKey(keyPrefix))}*`;
        let cursor = '0';
        let count = 0;
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', BATCH);
          cursor = next;
          if (keys.length > 0) count += await unlinkAll(keys);
        } while (cursor !== '0');
        return count;
      }),
  };

  const toMembers = (raw: string[]): RankedMember[] => {
    const out: RankedMember[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ member: raw[i]!, score: parseScore(raw[i + 1]!) });
    return out;
  };

  const rankings: Rankings = {
    async upsert(board, entries) {
      const args = validScores(entries);
      if (args.length === 0) return;
      const key = boardKey(board);
      await call(async () => {
        const tx = redis.multi();
        for (const batch of chunks(args, 2 * BATCH)) tx.zadd(key, ...batch);
        await execAll(tx);
      });
    },
    async remove(board, members) {
      if (members.length === 0) return;
      const key = boardKey(board);
      await call(async () => {
        const tx = redis.multi();
        for (const batch of chunks(members, BATCH)) tx.zrem(key, ...batch);
        await execAll(tx);
      });
    },
    async range(board, { order, offset = 0, limit }) {
      assertCount('offset', offset);
      assertCount('limit', limit);
      // ZRANGE 0 -1 would mean "everything": an empty window is answered here.
      if (limit === 0) return [];
      const key = boardKey(board);
      const stop = offset + limit - 1;
      const raw = await call(() =>
        order === 'asc' ? redis.zrange(key, offset, stop, 'WITHSCORES') : redis.zrevrange(key, offset, stop, 'WITHSCORES'),
      );
      return toMembers(raw);
    },
    async rank(board, member, order) {
      const key = boardKey(board);
      const index = await call(() => (order === 'asc' ? redis.zrank(key, member) : redis.zrevrank(key, member)));
      return index === null ? null : index + 1;
    },
    size: (board) => call(() => redis.zcard(boardKey(board))),
    async replace(board, entries) {
      const args = validScores(entries);
      const key = boardKey(board);
      await call(async () => {
        if (args.length === 0) {
          await redis.unlink(key);
          return;
        }
        if (args.length <= 2 * BATCH) {
          // Small boards: swap inside one transaction.
          await execAll(redis.multi().unlink(key).zadd(key, ...args));
          return;
        }
        // Large boards: build aside in batches (not blocking the server in one huge
        // transaction), then RENAME over the board, which is atomic. The temporary key carries
        // a TTL in case this writer dies half-way; RENAME keeps it, so PERSIST clears it.
        const temp = tempBoardKey();
        try {
          const build = redis.pipeline().unlink(temp);
          for (const [i, batch] of chunks(args, 2 * BATCH).entries()) {
            build.zadd(temp, ...batch);
            if (i === 0) build.pexpire(temp, TEMP_BOARD_TTL_MS);
          }
          await execAll(build);
          await execAll(redis.multi().rename(temp, key).persist(key));
        } catch (err) {
          await redis.unlink(temp).catch(() => undefined);
          throw err;
        }
      });
    },
    async drop(board) {
      await call(() => redis.unlink(boardKey(board)));
    },
  };

  const permissions: PermissionsCache = {
    async put(userId, fields) {
      const key = userKey(userId);
      const flat = Object.entries(fields).flat();
      await call(async () => {
        // DEL + HSET in one transaction: the new fields replace the old ones, never merge.
        // A hash without fields does not exist in Redis: putting none deletes the entry.
        if (flat.length === 0) await redis.unlink(key);
        else await execAll(redis.multi().unlink(key).hset(key, ...flat));
      });
    },
    async get(userId) {
      const raw = await call(() => redis.hgetall(userKey(userId)));
      const entries = Object.entries(raw);
      return entries.length === 0 ? null : Object.fromEntries(entries);
    },
    async delete(userId) {
      await call(() => redis.unlink(userKey(userId)));
    },
  };

  return {
    responses,
    rankings,
    permissions,
    async ping() {
      await call(() => redis.ping());
    },
    close: () => connection.close(),
  };
}
