import { randomUUID } from 'node:crypto';
import type { Cache } from '@nationpulse/ports';
import { createRedisCache } from '@nationpulse/redis';
import { clearDerived, testDerivedStructures } from './testing/scenarios.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A cache under a key prefix of its own; fails (never skips) when Redis does not answer. */
const connect = async (): Promise<Cache> => {
  const cache = createRedisCache({ url, keyPrefix: `np-test-${randomUUID().slice(0, 8)}:` });
  try {
    await cache.ping();
  } catch (err) {
    await cache.close();
    throw new Error(`Redis at ${url} does not answer: start it or set REDIS_URL`, { cause: err });
  }
  return cache;
};

testDerivedStructures('redis', { create: connect, cleanup: clearDerived });
