import { assertValidRateLimit, type RateLimiter } from '@nationpulse/ports';

export interface InProcessRateLimiterOptions {
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /** Buckets kept at most; refilled (idle) buckets are dropped first when it is reached. Default 100,000. */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  windowMs: number;
}

/**
 * Token buckets in memory (embedded mode: one gateway process). A bucket holds up to `limit`
 * tokens and refills `limit` per `windowMs`; a request takes one.
 */
export const createInProcessRateLimiter = (options: InProcessRateLimiterOptions = {}): RateLimiter => {
  const clock = options.clock ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  /** A bucket idle for a whole window is full again, as good as absent: drop those, then the oldest. */
  const makeRoom = (now: number) => {
    for (const [key, b] of buckets) if (now - b.updatedAt >= b.windowMs) buckets.delete(key);
    while (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
  };

  return {
    async consume(key, limit) {
      assertValidRateLimit(limit);
      const now = clock();
      const perMs = limit.limit / limit.windowMs;
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) makeRoom(now);
        bucket = { tokens: limit.limit, updatedAt: now, windowMs: limit.windowMs };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(limit.limit, bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs);
      bucket.updatedAt = now;
      bucket.windowMs = limit.windowMs;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0 };
      }
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs)) };
    },
    async close() {
      buckets.clear();
    },
  };
};
