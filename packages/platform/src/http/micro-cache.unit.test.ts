import { describe, expect, it } from 'vitest';
import { createMicroCache, etagOf, noneMatchHits, type MicroCache } from './micro-cache.ts';

const answer = (position: number, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json; charset=utf-8',
  etag: `"tag-${position}"`,
  'cache-control': 'public, max-age=30',
  'x-position': String(position),
  ...extra,
});
const body = (text: string) => Buffer.from(text);

const cacheAt = (clock: { now: number }, options: { maxEntries?: number; maxBytes?: number } = {}): MicroCache => {
  const cache = createMicroCache({ ttlMs: 1_000, now: () => clock.now, ...options });
  if (!cache) throw new Error('expected a cache');
  return cache;
};

describe('micro-cache', () => {
  it('is off with a TTL of 0', () => {
    expect(createMicroCache({ ttlMs: 0, now: () => 0 })).toBeNull();
  });

  it('reuses an answer for the same URL until its TTL ends', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.store('/api/v1/rankings/X?year=2020', body('a'), answer(7));
    expect(cache.lookup('/api/v1/rankings/X?year=2020')).toMatchObject({ body: body('a'), position: 7, etag: '"tag-7"' });
    expect(cache.lookup('/api/v1/rankings/X?year=2021')).toBeNull();
    clock.now = 999;
    expect(cache.lookup('/api/v1/rankings/X?year=2020')).not.toBeNull();
    clock.now = 1_000;
    expect(cache.lookup('/api/v1/rankings/X?year=2020')).toBeNull();
  });

  it('serves a request with minPosition only from an answer at least that recent', () => {
    const cache = cacheAt({ now: 0 });
    cache.store('/api/v1/series/FRA/X', body('at 7'), answer(7));
    expect(cache.lookup('/api/v1/series/FRA/X?minPosition=7')?.position).toBe(7);
    expect(cache.lookup('/api/v1/series/FRA/X?minPosition=8')).toBeNull();
    // The newer answer that read-your-writes request brings back serves everyone.
    cache.store('/api/v1/series/FRA/X?minPosition=8', body('at 9'), answer(9));
    expect(cache.lookup('/api/v1/series/FRA/X')?.body.toString()).toBe('at 9');
    expect(cache.lookup('/api/v1/series/FRA/X?minPosition=9')?.position).toBe(9);
    expect(cache.lookup('/api/v1/series/FRA/X?from=2000&minPosition=9')).toBeNull();
  });

  it('never replaces a fresh answer with an older one', () => {
    const cache = cacheAt({ now: 0 });
    cache.store('/api/v1/indicators', body('new'), answer(9));
    cache.store('/api/v1/indicators', body('old'), answer(8));
    expect(cache.lookup('/api/v1/indicators')?.body.toString()).toBe('new');
  });

  it('keeps only answers that say what they reflect and may be shared', () => {
    const cache = cacheAt({ now: 0 });
    const { etag: _etag, ...noEtag } = answer(1);
    const { 'x-position': _position, ...noPosition } = answer(1);
    cache.store('/a', body('x'), noEtag);
    cache.store('/b', body('x'), noPosition);
    cache.store('/c', body('x'), answer(1, { 'cache-control': 'private, max-age=30' }));
    cache.store('/d', body('x'), answer(1, { 'cache-control': 'no-store' }));
    cache.store('/e', body('x'), answer(1, { 'set-cookie': 'a=b' }));
    cache.store('/f', body('x'), answer(1, { vary: 'authorization' }));
    for (const url of ['/a', '/b', '/c', '/d', '/e', '/f']) expect(cache.lookup(url), url).toBeNull();
  });

  it('is bounded by entries and bytes, dropping the oldest first', () => {
    const cache = cacheAt({ now: 0 }, { maxEntries: 2, maxBytes: 1_600 });
    cache.store('/1', body('1'), answer(1));
    cache.store('/2', body('2'), answer(1));
    cache.store('/3', body('3'), answer(1));
    expect([cache.lookup('/1'), cache.lookup('/2'), cache.lookup('/3')].map((e) => e?.body.toString() ?? null)).toEqual([null, '2', '3']);
    cache.store('/big', Buffer.alloc(101), answer(1)); // larger than maxBytes / 16: not kept
    expect(cache.lookup('/big')).toBeNull();
    cache.store('/4', Buffer.alloc(100), answer(1));
    expect(cache.lookup('/2')).toBeNull();
    expect(cache.lookup('/4')?.body.length).toBe(100);
  });

  it('keys a URL whose minPosition is not a number on the whole URL, so it only serves that URL', () => {
    const cache = cacheAt({ now: 0 });
    cache.store('/q', body('plain'), answer(3));
    expect(cache.lookup('/q?minPosition=abc')).toBeNull();
    cache.store('/q?minPosition=1e1', body('at 10'), answer(10));
    expect(cache.lookup('/q?minPosition=1e1')?.body.toString()).toBe('at 10');
    expect(cache.lookup('/q')?.body.toString()).toBe('plain');
    // Tokens that validation refuses never reach the plain URL's answer: callers (the gateway) serve
    // hits before validating, relying on this.
    expect(cache.lookup('/q?minPosition=1&minPosition=2')).toBeNull();
    expect(cache.lookup('/q?minPosition=')).toBeNull();
    expect(cache.lookup('/q?minPosition=99999999999999999999')).toBeNull();
    expect(cache.lookup('/q?minPosition=-1')).toBeNull();
    expect(cache.lookup('/q?minPosition=2')?.body.toString()).toBe('plain');
  });

  it('keeps string bodies too, bounded by their bytes', () => {
    const cache = createMicroCache<string>({ ttlMs: 1_000, now: () => 0, maxBytes: 16 * 4 });
    cache!.store('/small', 'é'.repeat(2), answer(1)); // 4 bytes
    cache!.store('/large', 'é'.repeat(3), answer(1)); // 6 bytes: more than maxBytes / 16
    expect(cache!.lookup('/small')?.body).toBe('éé');
    expect(cache!.lookup('/large')).toBeNull();
  });

  it('makes strong ETags from the exact bytes', () => {
    expect(etagOf('{"a":1}')).toBe(etagOf(Buffer.from('{"a":1}')));
    expect(etagOf('{"a":1}')).not.toBe(etagOf('{"a":2}'));
    expect(etagOf('x')).toMatch(/^"[\w-]{43}"$/);
  });

  it('compares If-None-Match weakly, with lists and *', () => {
    expect(noneMatchHits('"a"', '"a"')).toBe(true);
    expect(noneMatchHits('W/"a"', '"a"')).toBe(true);
    expect(noneMatchHits('"b", "a"', '"a"')).toBe(true);
    expect(noneMatchHits('*', '"a"')).toBe(true);
    expect(noneMatchHits('"b"', '"a"')).toBe(false);
    expect(noneMatchHits(undefined, '"a"')).toBe(false);
    expect(noneMatchHits('', '"a"')).toBe(false);
    expect(noneMatchHits(['"a"'], '"a"')).toBe(false); // only a single header value is compared
  });
});

describe('micro-cache: concurrent misses', () => {
  const deferred = () => {
    let resolve!: (value: { statusCode: number; headers: Record<string, string>; body: Buffer }) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<{ statusCode: number; headers: Record<string, string>; body: Buffer }>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };

  it('makes one upstream call for concurrent requests of one URL, and keeps its answer', async () => {
    const cache = cacheAt({ now: 0 });
    const upstream = deferred();
    let calls = 0;
    const load = () => {
      calls++;
      return upstream.promise;
    };
    const answers = Promise.all([cache.answer('/q', load), cache.answer('/q', load), cache.answer('/q?minPosition=5', load)]);
    upstream.resolve({ statusCode: 200, headers: answer(5), body: body('five') });
    const [first, second, third] = await answers;
    expect(calls).toBe(1);
    expect(first).toMatchObject({ forwarded: { statusCode: 200 } });
    expect(second).toMatchObject({ cached: { position: 5 } });
    expect(third).toMatchObject({ cached: { position: 5 } });
    expect(await cache.answer('/q', load)).toMatchObject({ cached: { position: 5 } });
    expect(calls).toBe(1);
  });

  it('lets a waiter call upstream itself when the shared answer is older than its minPosition, or failed', async () => {
    const cache = cacheAt({ now: 0 });
    const shared = deferred();
    const own = { statusCode: 200, headers: answer(9), body: body('nine') };
    const waiting = [cache.answer('/q', () => shared.promise), cache.answer('/q?minPosition=9', async () => own)];
    shared.resolve({ statusCode: 200, headers: answer(5), body: body('five') });
    const [, newer] = await Promise.all(waiting);
    expect(newer).toEqual({ forwarded: own });
    expect(cache.lookup('/q')?.position).toBe(9);

    const failing = deferred();
    const afterFailure = [cache.answer('/r', () => failing.promise), cache.answer('/r', async () => ({ statusCode: 404, headers: {}, body: body('') }))];
    failing.reject(new Error('upstream down'));
    await expect(afterFailure[0]).rejects.toThrow('upstream down');
    expect(await afterFailure[1]).toMatchObject({ forwarded: { statusCode: 404 } });
    expect(cache.lookup('/r')).toBeNull(); // only 200 answers are kept
  });
});
