import { randomUUID } from 'node:crypto';
import { testNotifications, testRateLimiter, testRefreshTokenStore } from '@nationpulse/ports/testing';
import { createRedisNotifications } from './redis-notifications.ts';
import { createRedisRateLimiter } from './redis-rate-limiter.ts';
import { createRedisRefreshTokenStore } from './redis-refresh-token-store.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Channels and keys of this run only: the Redis is shared. */
const keyPrefix = `np-test-${randomUUID().slice(0, 8)}:`;

/** Fails (never skips) when Redis does not answer. */
const answering = async <T>(create: () => T, probe: (t: T) => Promise<unknown>, close: (t: T) => Promise<void>): Promise<T> => {
  const adapter = create();
  try {
    await probe(adapter);
  } catch (err) {
    await close(adapter);
    throw new Error(`Redis at ${url} does not answer: start it or set REDIS_URL`, { cause: err });
  }
  return adapter;
};

const tokenStore = () =>
  answering(
    () => createRedisRefreshTokenStore({ url, keyPrefix }),
    (s) => s.revokeFamily({ tokenHash: 'probe', familyId: 'probe' }),
    (s) => s.close(),
  );
testRefreshTokenStore('redis', { create: tokenStore, reopen: tokenStore });

const limiter = () =>
  answering(
    () => createRedisRateLimiter({ url, keyPrefix }),
    (l) => l.consume(`probe-${randomUUID()}`, { limit: 1, windowMs: 1000 }),
    (l) => l.close(),
  );
testRateLimiter('redis', { create: limiter, reopen: limiter });

const bus = () =>
  answering(
    () => createRedisNotifications({ url, keyPrefix }),
    (n) => n.broadcast({ id: 'probe', type: 'Probe', at: new Date().toISOString(), data: {} }),
    (n) => n.close(),
  );
testNotifications('redis', { create: bus, reopen: bus });
