import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../rate-limiter.ts';

export interface RateLimiterFactory {
  /** A limiter on the real clock; it may be shared with other runs (every key here is random). */
  create(): Promise<RateLimiter>;
  /** Another client of the same store (another gateway instance), if the backend has one. */
  reopen?(): Promise<RateLimiter>;
}

/** The behaviour every RateLimiter adapter must show: a per-key token bucket, atomic under concurrency. */
export function testRateLimiter(name: string, factory: RateLimiterFactory): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let limiter: RateLimiter;
    const key = (label: string) => `rl-${label}-${randomUUID()}`;
    beforeAll(async () => {
      limiter = await factory.create();
    });
    afterAll(async () => {
      await limiter?.close();
    });

    it('allows `limit` requests, then refuses with the time until the next one', async () => {
      const k = key('burst');
      const limit = { limit: 3, windowMs: 60_000 };
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const d = await limiter.consume(k, limit);
        expect(d).toMatchObject({ allowed: true, retryAfterMs: 0 });
        remaining.push(d.remaining);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const refused = await limiter.consume(k, limit);
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      // One request's worth of refill: windowMs / limit = 20 s, give or take the time the test took.
      expect(refused.retryAfterMs).toBeGreaterThan(15_000);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
    });

    it('keeps keys independent', async () => {
      const [a, b] = [key('a'), key('b')];
      const limit = { limit: 1, windowMs: 60_000 };
      expect((await limiter.consume(a, limit)).allowed).toBe(true);
      expect((await limiter.consume(a, limit)).allowed).toBe(false);
      expect((await limiter.consume(b, limit)).allowed).toBe(true);
    });

    it('refills evenly: a refused key is allowed again once retryAfterMs has passed', async () => {
      const k = key('refill');
      const limit = { limit: 2, windowMs: 400 };
      await limiter.consume(k, limit);
      await limiter.consume(k, limit);
      const refused = await limiter.consume(k, limit);
      expect(refused.allowed).toBe(false);
      await sleep(refused.retryAfterMs + 30);
      expect((await limiter.consume(k, limit)).allowed).toBe(true);
      expect((await limiter.consume(k, limit)).allowed).toBe(false);
    });

    it('is atomic: of many concurrent requests exactly `limit` pass', async () => {
      const k = key('race');
      const limit = { limit: 10, windowMs: 60_000 };
      const decisions = await Promise.all(Array.from({ length: 40 }, () => limiter.consume(k, limit)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    });

    it('rejects a limit that is not a positive whole number per positive window', async () => {
      for (const bad of [{ limit: 0, windowMs: 1000 }, { limit: 1.5, windowMs: 1000 }, { limit: 5, windowMs: 0 }, { limit: 5, windowMs: Number.NaN }]) {
        await expect(limiter.consume(key('bad'), bad)).rejects.toMatchObject({ kind: 'validation' });
      }
    });

    it.runIf(factory.reopen !== undefined)('shares budgets between clients (gateway instances)', async () => {
      const other = await factory.reopen!();
      try {
        const k = key('shared');
        const limit = { limit: 2, windowMs: 60_000 };
        expect((await limiter.consume(k, limit)).allowed).toBe(true);
        expect((await other.consume(k, limit)).allowed).toBe(true);
        expect((await limiter.consume(k, limit)).allowed).toBe(false);
        expect((await other.consume(k, limit)).allowed).toBe(false);
      } finally {
        await other.close();
      }
    });
  });
}
