import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { CacheUnavailableError, type Cache } from '@nationpulse/ports';
import { testCache } from '@nationpulse/ports/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCache, escapeGlob } from './redis-cache.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails (never skips) when Redis does not answer: these tests are the point of this file. */
const connect = async (options: { keyPrefix?: string } = {}): Promise<Cache> => {
  const cache = createRedisCache({ url, ...options });
  try {
    await cache.ping();
  } catch (err) {
    await cache.close();
    throw new Error(`Redis at ${url} does not answer: start it or set REDIS_URL`, { cause: err });
  }
  return cache;
};

testCache('redis', { create: () => connect(), reopen: () => connect() });

/** A server that accepts connections and never answers, like a hung Redis. */
const silentServer = async (answer?: (socket: Socket, data: string) => void): Promise<{ server: Server; url: string }> => {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (answer) socket.on('data', (data) => answer(socket, data.toString('utf8')));
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `redis://127.0.0.1:${port}` };
};
const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.emit('close');
  });

const elapsed = async (fn: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> => {
  const start = performance.now();
  try {
    await fn();
    return { ms: performance.now() - start, error: undefined };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
};

describe('redis cache specifics', () => {
  const keyPrefix = `np-test-${randomUUID().slice(0, 8)}:`;
  let cache: Cache;
  let raw: Redis;

  beforeAll(async () => {
    cache = await connect({ keyPrefix });
    raw = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await raw.connect();
  });
  afterAll(async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await raw.scan(cursor, 'MATCH', `${escapeGlob(keyPrefix)}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length > 0) await raw.unlink(...keys);
    await cache.close();
    await raw.quit();
  });

  it('fails fast with CacheUnavailableError when nothing listens on the port', async () => {
    const dead = createRedisCache({ url: 'redis://127.0.0.1:1' });
    try {
      for (const op of [
        () => dead.ping(),
        () => dead.responses.get('k'),
        () => dead.responses.set('k', 'v', 1000),
        () => dead.responses.deleteByPrefix('k'),
        () => dead.rankings.range('b', { order: 'desc', limit: 10 }),
        () => dead.rankings.replace('b', [{ member: 'A', score: 1 }]),
        () => dead.permissions.get('u'),
      ]) {
        const { ms, error } = await elapsed(op);
        expect(error).toBeInstanceOf(CacheUnavailableError);
        expect(error).toMatchObject({ code: 'CACHE_UNAVAILABLE', kind: 'unavailable' });
        expect(ms).toBeLessThan(2_000);
      }
    } finally {
      await dead.close();
    }
  });

  it('gives up on a server that accepts the connection but never answers, within the command timeout', async () => {
    const { server, url: hung } = await silentServer();
    const cache = createRedisCache({ url: hung, commandTimeoutMs: 300 });
    try {
      const { ms, error } = await elapsed(() => cache.responses.get('k'));
      expect(error).toBeInstanceOf(CacheUnavailableError);
      expect(ms).toBeLessThan(1_500);
    } finally {
      await cache.close();
      await stop(server);
    }
  });

  it('translates a command that times out on a connected server into CacheUnavailableError', async () => {
    // Answers the handshake, the ready check and PING, and hangs on anything else.
    const { server, url: slow } = await silentServer((socket, data) => {
      for (const [, command] of data.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
        const name = command!.toLowerCase();
        if (name === 'client') socket.write('+OK\r\n');
        else if (name === 'ping') socket.write('+PONG\r\n');
        else if (name === 'info') {
          const info = '# Server\r\nredis_version:7.0.0\r\nloading:0\r\n';
          socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
        }
      }
    });
    const cache = createRedisCache({ url: slow, commandTimeoutMs: 200 });
    try {
      await cache.ping();
      const { ms, error } = await elapsed(() => cache.rankings.size('b'));
      expect(error).toBeInstanceOf(CacheUnavailableError);
      expect((error as Error).cause).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(1_000);
    } finally {
      await cache.close();
      await stop(server);
    }
  });

  it('keeps every key under its prefix, and deleteByPrefix stays inside it', async () => {
    const other = await connect({ keyPrefix: `${keyPrefix}other:` });
    try {
      await cache.responses.set('k1', 'v', 60_000);
      await other.responses.set('k1', 'w', 60_000);
      await cache.rankings.upsert('board', [{ member: 'FR', score: 1 }]);
      await cache.permissions.put('user', { role: 'admin' });
      expect(await raw.get(`${keyPrefix}r:k1`)).toBe('v');
      expect(await raw.zscore(`${keyPrefix}z:board`, 'FR')).toBe('1');
      expect(await raw.hgetall(`${keyPrefix}p:user`)).toEqual({ role: 'admin' });
      expect(await raw.pttl(`${keyPrefix}r:k1`)).toBeGreaterThan(59_000);

      // The other cache's namespace starts with ours, but its keys are not responses of ours.
      expect(await cache.responses.deleteByPrefix('')).toBe(1);
      expect(await other.responses.get('k1')).toBe('w');
      expect(await cache.rankings.size('board')).toBe(1);
    } finally {
      await other.responses.deleteByPrefix('');
      await other.close();
    }
  });

  it('replaces a large board without leaving temporary keys or a TTL behind', async () => {
    const entries = Array.from({ length: 5_000 }, (_, i) => ({ member: `m${i}`, score: i }));
    await cache.rankings.replace('large', entries);
    await cache.rankings.replace('large', entries.slice(0, 2_500));
    expect(await cache.rankings.size('large')).toBe(2_500);
    expect(await raw.pttl(`${keyPrefix}z:large`)).toBe(-1);
    const [, temps] = await raw.scan('0', 'MATCH', `${escapeGlob(keyPrefix)}zt:*`, 'COUNT', 10_000);
    expect(temps).toEqual([]);
  });

  it('escapes every glob metacharacter', () => {
    expect(escapeGlob('a*b?c[d]e\\f^g-h')).toBe('a\\*b\\?c\\[d\\]e\\\\f^g-h');
  });
});
