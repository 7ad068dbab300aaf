import { randomUUID } from 'node:crypto';
import { testDatasetLock, testJobScheduler } from '@nationpulse/ports/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createBullmqScheduler } from './bullmq-scheduler.ts';
import { createRedisDatasetLock } from './redis-dataset-lock.ts';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every queue and lock key of this run lives under this prefix, removed at the end. */
const prefix = `np-test-${randomUUID().slice(0, 8)}`;

/** Fails (never skips) when Redis does not answer: these tests are the point of this file. */
beforeAll(async () => {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis at ${url} does not answer: start it or set REDIS_URL`, { cause: err });
  } finally {
    redis.disconnect();
  }
});

afterAll(async () => {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

testJobScheduler('bullmq', {
  create: async () => createBullmqScheduler({ url, prefix, queueName: `q-${randomUUID().slice(0, 8)}`, backoffMs: 50 }),
});

testDatasetLock('redis', {
  create: async () => createRedisDatasetLock({ url, keyPrefix: `${prefix}:lock:` }),
  reopen: async () => createRedisDatasetLock({ url, keyPrefix: `${prefix}:lock:` }),
});
