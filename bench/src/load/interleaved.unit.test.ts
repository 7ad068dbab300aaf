import { describe, expect, it } from 'vitest';
import type { LoadResult } from './autocannon.ts';
import { interleaved, ratio } from './interleaved.ts';

const result = (requestsPerSecond: number, p99Ms = 5, extra: Partial<LoadResult> = {}): LoadResult => ({
  requestsPerSecond,
  p50Ms: 1,
  p99Ms,
  errors: 0,
  non2xx: 0,
  requests: requestsPerSecond * 4,
  ...extra,
});

describe('interleaved load', () => {
  it('drives every contender each round, rotating which goes first', async () => {
    const order: string[] = [];
    await interleaved(
      [
        { label: 'a', url: 'http://a' },
        { label: 'b', url: 'http://b' },
        { label: 'c', url: 'http://c' },
      ],
      {
        rounds: 3,
        seconds: 1,
        connections: 2,
        load: async (url) => {
          order.push(url.slice(7));
          return result(1);
        },
      },
    );
    expect(order.join('')).toBe('abcbcacab');
  });

  it('compares round by round, takes the median throughput and the worst p99, and adds up errors', async () => {
    // The machine slows down in round 2 for both: a round-by-round ratio does not see it.
    const figures: Record<string, LoadResult[]> = {
      base: [result(20_000, 4), result(10_000, 6), result(18_000, 5)],
      gateway: [result(11_000, 9), result(5_000, 15, { errors: 1, non2xx: 2 }), result(9_000, 8)],
    };
    const seen: Record<string, number> = { base: 0, gateway: 0 };
    const [base, gateway] = await interleaved(
      [
        { label: 'base', url: 'base' },
        { label: 'gateway', url: 'gateway', headers: { authorization: 'Bearer x' } },
      ],
      { rounds: 3, seconds: 1, connections: 2, load: async (url) => figures[url]![seen[url]!++]! },
    );
    expect(base!.requestsPerSecond).toBe(18_000);
    expect(gateway!.requestsPerSecond).toBe(9_000);
    expect(gateway!.worstP99Ms).toBe(15);
    expect(gateway!.errors).toBe(1);
    expect(gateway!.non2xx).toBe(2);
    const r = ratio(gateway!, base!);
    expect(r.perRound).toEqual([0.55, 0.5, 0.5]);
    expect(r.median).toBe(0.5);
    expect(r.min).toBe(0.5);
    expect(r.max).toBe(0.55);
  });
});
