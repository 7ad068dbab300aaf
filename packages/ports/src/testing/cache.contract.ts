import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheUnavailableError, type Cache, type RankedMember } from '../cache.ts';

export interface CacheFactory {
  /**
   * A cache to test against. Caches may be shared across tests and runs (a persistent Redis):
   * every test uses keys, boards and user ids under a random per-run prefix. Each call may return
   * an independent cache (in-process) or another client of the same store (Redis).
   */
  create(): Promise<Cache>;
  /** Another client of the same store (another process' view), if the backend has one. */
  reopen?(): Promise<Cache>;
}

/** Redis orders equal scores by member as raw bytes: for UTF-8 text that is code point order. */
const byMemberBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const byScoreThenMember = (a: RankedMember, b: RankedMember): number => a.score - b.score || byMemberBytes(a.member, b.member);

/** The reference model of a sorted set: the last score given for a member wins; -0 is 0. */
const model = (entries: readonly RankedMember[]): RankedMember[] => {
  const last = new Map<string, number>();
  for (const e of entries) last.set(e.member, e.score + 0);
  return [...last].map(([member, score]) => ({ member, score })).sort(byScoreThenMember);
};

/**
 * The behaviour every Cache adapter must show. Run it from each adapter's test file:
 * `testCache('in-process', { create: async () => createInProcessCache() })`.
 */
export function testCache(name: string, factory: CacheFactory): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    // A unique prefix per run keeps tests independent on a shared, persistent server.
    const run = `cc_${randomUUID().slice(0, 8)}`;
    const unique = (label: string) => `${run}:${label}:${randomUUID().slice(0, 8)}`;
    const boards = new Set<string>();
    const users = new Set<string>();
    const key = (label: string) => unique(label);
    const board = (label: string) => {
      const b = unique(label);
      boards.add(b);
      return b;
    };
    const user = (label: string) => {
      const u = unique(label);
      users.add(u);
      return u;
    };

    beforeAll(async () => {
      cache = await factory.create();
    });
    afterAll(async () => {
      if (!cache) return;
      try {
        await cache.responses.deleteByPrefix(`${run}:`);
        for (const b of boards) await cache.rankings.drop(b);
        for (const u of users) await cache.permissions.delete(u);
      } finally {
        await cache.close();
      }
    });

    describe('responses', () => {
      it('returns null for an unknown key', async () => {
        expect(await cache.responses.get(key('unknown'))).toBeNull();
      });

      it('stores a value and reads it back intact, and overwrites it', async () => {
        const k = key('basic');
        const value = JSON.stringify({ text: 'ünïcødé ✓ 😀', list: [1, 2, 3] });
        await cache.responses.set(k, value, 60_000);
        expect(await cache.responses.get(k)).toBe(value);
        await cache.responses.set(k, '', 60_000);
        expect(await cache.responses.get(k)).toBe('');
        const large = 'x'.repeat(256 * 1024);
        await cache.responses.set(k, large, 60_000);
        expect(await cache.responses.get(k)).toBe(large);
      });

      it('expires a value after its TTL', async () => {
        const k = key('ttl');
        await cache.responses.set(k, 'short-lived', 80);
        expect(await cache.responses.get(k)).toBe('short-lived');
        await sleep(200);
        expect(await cache.responses.get(k)).toBeNull();
      });

      it('resets the TTL when a key is set again', async () => {
        const k = key('ttl-reset');
        await cache.responses.set(k, 'v1', 60);
        await cache.responses.set(k, 'v2', 60_000);
        await sleep(150);
        expect(await cache.responses.get(k)).toBe('v2');
      });

      it('rejects a TTL that is not a positive number of milliseconds', async () => {
        for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expect(cache.responses.set(key('bad-ttl'), 'v', ttl)).rejects.toMatchObject({ kind: 'validation' });
        }
      });

      it('deletes the given keys, ignoring unknown ones and an empty list', async () => {
        const [a, b, c] = [key('del-a'), key('del-b'), key('del-c')];
        await Promise.all([a, b, c].map((k) => cache.responses.set(k, k, 60_000)));
        await cache.responses.delete([a, c, key('del-unknown')]);
        await cache.responses.delete([]);
        expect(await cache.responses.get(a)).toBeNull();
        expect(await cache.responses.get(b)).toBe(b);
        expect(await cache.responses.get(c)).toBeNull();
      });

      it('deletes by prefix only the matching keys and returns how many it deleted', async () => {
        const base = key('prefix');
        const matching = [`${base}:country:FR`, `${base}:country:DE`, `${base}:country:`];
        const others = [`${base}:countries`, `${base}:count`, `${base}:COUNTRY:FR`, `x${base}:country:FR`];
        await Promise.all([...matching, ...others].map((k) => cache.responses.set(k, 'v', 60_000)));
        expect(await cache.responses.deleteByPrefix(`${base}:country:`)).toBe(matching.length);
        for (const k of matching) expect(await cache.responses.get(k)).toBeNull();
        for (const k of others) expect(await cache.responses.get(k)).toBe('v');
        expect(await cache.responses.deleteByPrefix(`${base}:country:`)).toBe(0);
        expect(await cache.responses.deleteByPrefix(key('nothing-here'))).toBe(0);
        await cache.responses.delete(others);
      });

      it('does not count keys that already expired', async () => {
        const base = key('prefix-expired');
        await Promise.all([1, 2, 3].map((i) => cache.responses.set(`${base}:short:${i}`, 'v', 50)));
        await Promise.all([1, 2].map((i) => cache.responses.set(`${base}:long:${i}`, 'v', 60_000)));
        await sleep(150);
        expect(await cache.responses.deleteByPrefix(`${base}:`)).toBe(2);
        expect(await cache.responses.get(`${base}:long:1`)).toBeNull();
      });

      it('deletes by prefix thousands of keys', async () => {
        const base = key('prefix-many');
        const matching = Array.from({ length: 2_500 }, (_, i) => `${base}:in:${i}`);
        const others = Array.from({ length: 100 }, (_, i) => `${base}:out:${i}`);
        for (let i = 0; i < matching.length; i += 500) {
          await Promise.all(matching.slice(i, i + 500).map((k) => cache.responses.set(k, 'v', 60_000)));
        }
        await Promise.all(others.map((k) => cache.responses.set(k, 'v', 60_000)));
        expect(await cache.responses.deleteByPrefix(`${base}:in:`)).toBe(2_500);
        expect(await cache.responses.get(matching[0]!)).toBeNull();
        expect(await cache.responses.get(matching[2_499]!)).toBeNull();
        expect(await cache.responses.deleteByPrefix(`${base}:out:`)).toBe(100);
      });

      it('treats glob-special characters in a prefix literally', async () => {
        const base = key('glob');
        const keys = {
          star: `${base}:a*`,
          starTail: `${base}:a*b`,
          plain: `${base}:abc`,
          question: `${base}:q?`,
          questionTail: `${base}:q?x`,
          qplain: `${base}:qx`,
          bracket: `${base}:[ab]`,
          bracketTail: `${base}:[ab]!`,
          bracketA: `${base}:a`,
          bracketB: `${base}:b`,
          backslash: `${base}:s\\x`,
          backslashPlain: `${base}:sx`,
          caret: `${base}:[^a]`,
          range: `${base}:[a-c]`,
        };
        await Promise.all(Object.values(keys).map((k) => cache.responses.set(k, k, 60_000)));
        const alive = async () => {
          const out: string[] = [];
          for (const [label, k] of Object.entries(keys)) if ((await cache.responses.get(k)) !== null) out.push(label);
          return out.sort();
        };

        expect(await cache.responses.deleteByPrefix(`${base}:a*`)).toBe(2);
        expect(await cache.responses.deleteByPrefix(`${base}:q?`)).toBe(2);
        expect(await cache.responses.deleteByPrefix(`${base}:[ab]`)).toBe(2);
        expect(await cache.responses.deleteByPrefix(`${base}:s\\`)).toBe(1);
        expect(await cache.responses.deleteByPrefix(`${base}:[^`)).toBe(1);
        expect(await cache.responses.deleteByPrefix(`${base}:[a-`)).toBe(1);
        expect(await alive()).toEqual(['backslashPlain', 'bracketA', 'bracketB', 'plain', 'qplain']);
        expect(await cache.responses.deleteByPrefix(`${base}:`)).toBe(5);
      });
    });

    describe('rankings', () => {
      const all = { limit: 1_000_000 } as const;

      it('behaves as an empty board when the board does not exist', async () => {
        const b = board('absent');
        expect(await cache.rankings.range(b, { order: 'asc', ...all })).toEqual([]);
        expect(await cache.rankings.range(b, { order: 'desc', offset: 3, limit: 10 })).toEqual([]);
        expect(await cache.rankings.rank(b, 'FR', 'asc')).toBeNull();
        expect(await cache.rankings.size(b)).toBe(0);
        await cache.rankings.remove(b, ['FR']);
        await cache.rankings.drop(b);
        await cache.rankings.upsert(b, []);
        expect(await cache.rankings.size(b)).toBe(0);
      });

      it('ranges in ascending and descending order with offset and limit', async () => {
        const b = board('range');
        await cache.rankings.upsert(b, [
          { member: 'FR', score: 68.2 },
          { member: 'DE', score: 83.8 },
          { member: 'LU', score: 0.65 },
          { member: 'IN', score: 1428.6 },
          { member: 'CN', score: 1425.7 },
        ]);
        const asc = await cache.rankings.range(b, { order: 'asc', limit: 10 });
        expect(asc).toEqual([
          { member: 'LU', score: 0.65 },
          { member: 'FR', score: 68.2 },
          { member: 'DE', score: 83.8 },
          { member: 'CN', score: 1425.7 },
          { member: 'IN', score: 1428.6 },
        ]);
        expect(await cache.rankings.range(b, { order: 'desc', limit: 10 })).toEqual([...asc].reverse());
        expect((await cache.rankings.range(b, { order: 'desc', limit: 2 })).map((e) => e.member)).toEqual(['IN', 'CN']);
        expect((await cache.rankings.range(b, { order: 'desc', offset: 1, limit: 2 })).map((e) => e.member)).toEqual(['CN', 'DE']);
        expect((await cache.rankings.range(b, { order: 'asc', offset: 3, limit: 5 })).map((e) => e.member)).toEqual(['CN', 'IN']);
        expect(await cache.rankings.range(b, { order: 'asc', offset: 5, limit: 5 })).toEqual([]);
        expect(await cache.rankings.range(b, { order: 'desc', offset: 50, limit: 5 })).toEqual([]);
        expect(await cache.rankings.range(b, { order: 'asc', limit: 0 })).toEqual([]);
        expect(await cache.rankings.range(b, { order: 'desc', offset: 2, limit: 0 })).toEqual([]);
        expect(await cache.rankings.size(b)).toBe(5);
      });

      it('rejects a negative or fractional offset or limit', async () => {
        const b = board('bad-range');
        await cache.rankings.upsert(b, [{ member: 'A', score: 1 }]);
        for (const options of [
          { order: 'asc' as const, limit: -1 },
          { order: 'asc' as const, offset: -1, limit: 1 },
          { order: 'desc' as const, limit: 1.5 },
          { order: 'desc' as const, offset: 0.5, limit: 1 },
        ]) {
          await expect(cache.rankings.range(b, options)).rejects.toMatchObject({ kind: 'validation' });
        }
      });

      it('rejects scores that are not finite numbers and stores nothing of that batch', async () => {
        const b = board('bad-score');
        for (const score of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          await expect(cache.rankings.upsert(b, [{ member: 'OK', score: 1 }, { member: 'X', score }])).rejects.toMatchObject({
            kind: 'validation',
          });
          await expect(cache.rankings.replace(b, [{ member: 'X', score }])).rejects.toMatchObject({ kind: 'validation' });
        }
        expect(await cache.rankings.size(b)).toBe(0);
      });

      it('updates the score of an existing member and moves it; the last of duplicates wins', async () => {
        const b = board('update');
        await cache.rankings.upsert(b, [
          { member: 'A', score: 1 },
          { member: 'B', score: 2 },
          { member: 'C', score: 3 },
        ]);
        await cache.rankings.upsert(b, [{ member: 'A', score: 10 }]);
        expect(await cache.rankings.range(b, { order: 'desc', limit: 10 })).toEqual([
          { member: 'A', score: 10 },
          { member: 'C', score: 3 },
          { member: 'B', score: 2 },
        ]);
        expect(await cache.rankings.rank(b, 'A', 'desc')).toBe(1);
        expect(await cache.rankings.rank(b, 'A', 'asc')).toBe(3);
        await cache.rankings.upsert(b, [
          { member: 'D', score: 5 },
          { member: 'B', score: 0 },
          { member: 'D', score: -5 },
        ]);
        expect(await cache.rankings.range(b, { order: 'asc', limit: 10 })).toEqual([
          { member: 'D', score: -5 },
          { member: 'B', score: 0 },
          { member: 'C', score: 3 },
          { member: 'A', score: 10 },
        ]);
        expect(await cache.rankings.size(b)).toBe(4);
      });

      it('orders equal scores by member like a Redis sorted set, reversed for desc', async () => {
        const b = board('ties');
        // Byte order: upper case before lower case, a prefix before longer strings, and code points
        // beyond the BMP (emoji) after U+FF5A, although their UTF-16 surrogates sort before it.
        const tied = ['b', 'a', 'c', 'B', 'ab', 'a b', '😀', 'ｚ', 'é', 'Z', '10', '9', ''];
        const entries = [
          ...tied.map((member) => ({ member, score: 5 })),
          { member: 'low', score: 4.5 },
          { member: 'high', score: 5.5 },
          { member: 'zero', score: 0 },
        ];
        await cache.rankings.upsert(b, entries);
        const expected = model(entries);
        expect(expected.filter((e) => e.score === 5).map((e) => e.member)).toEqual(['', '10', '9', 'B', 'Z', 'a', 'a b', 'ab', 'b', 'c', 'é', 'ｚ', '😀']);

        const asc = await cache.rankings.range(b, { order: 'asc', ...all });
        expect(asc).toEqual(expected);
        const desc = await cache.rankings.range(b, { order: 'desc', ...all });
        expect(desc).toEqual([...expected].reverse());
        for (const [i, e] of expected.entries()) {
          expect(await cache.rankings.rank(b, e.member, 'asc')).toBe(i + 1);
          expect(await cache.rankings.rank(b, e.member, 'desc')).toBe(expected.length - i);
        }
        expect(await cache.rankings.range(b, { order: 'desc', offset: 2, limit: 3 })).toEqual([...expected].reverse().slice(2, 5));
      });

      it('keeps negative, fractional, tiny and huge scores exactly', async () => {
        const b = board('scores');
        const entries = [
          { member: 'neg', score: -2.5 },
          { member: 'tenth', score: 0.1 },
          { member: 'third', score: 1 / 3 },
          { member: 'tiny', score: 1e-12 },
          { member: 'negtiny', score: -1e-12 },
          { member: 'huge', score: 1.7976931348623157e308 },
          { member: 'neghuge', score: -1e300 },
          { member: 'safe', score: Number.MAX_SAFE_INTEGER },
          { member: 'zero', score: 0 },
          { member: 'negzero', score: -0 },
          { member: 'pi', score: Math.PI },
        ];
        await cache.rankings.upsert(b, entries);
        const asc = await cache.rankings.range(b, { order: 'asc', ...all });
        // -0 and 0 are the same score (ordered by member) and come back as 0.
        expect(asc).toEqual(model(entries));
        expect(asc.map((e) => e.member)).toEqual(['neghuge', 'neg', 'negtiny', 'negzero', 'zero', 'tiny', 'tenth', 'third', 'pi', 'safe', 'huge']);
        expect(Object.is(asc.find((e) => e.member === 'negzero')!.score, 0)).toBe(true);
        expect(await cache.rankings.rank(b, 'neg', 'asc')).toBe(2);
      });

      it('agrees with a reference sorted set on a large board with many ties', async () => {
        const b = board('model');
        let seed = 42;
        const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
        const entries = Array.from({ length: 1_200 }, (_, i) => ({
          member: `m${Math.floor(random() * 800)}-${i % 7}`,
          score: Math.round((random() - 0.5) * 40) / 4,
        }));
        // Several batches, some members updated across batches.
        for (let i = 0; i < entries.length; i += 300) await cache.rankings.upsert(b, entries.slice(i, i + 300));
        const expected = model(entries);
        const reversed = [...expected].reverse();
        expect(await cache.rankings.size(b)).toBe(expected.length);
        expect(await cache.rankings.range(b, { order: 'asc', ...all })).toEqual(expected);
        for (const [offset, limit] of [
          [0, 10],
          [17, 25],
          [expected.length - 5, 10],
          [expected.length - 1, 1],
        ] as const) {
          expect(await cache.rankings.range(b, { order: 'asc', offset, limit })).toEqual(expected.slice(offset, offset + limit));
          expect(await cache.rankings.range(b, { order: 'desc', offset, limit })).toEqual(reversed.slice(offset, offset + limit));
        }
        for (let i = 0; i < expected.length; i += 37) {
          const { member } = expected[i]!;
          expect(await cache.rankings.rank(b, member, 'asc')).toBe(i + 1);
          expect(await cache.rankings.rank(b, member, 'desc')).toBe(expected.length - i);
        }
        const removed = expected.filter((_, i) => i % 3 === 0).map((e) => e.member);
        await cache.rankings.remove(b, removed);
        const rest = expected.filter((_, i) => i % 3 !== 0);
        expect(await cache.rankings.range(b, { order: 'desc', ...all })).toEqual([...rest].reverse());
        expect(await cache.rankings.size(b)).toBe(rest.length);
      });

      it('removes members, ignoring absent ones, and reports size and rank', async () => {
        const b = board('remove');
        await cache.rankings.upsert(b, [
          { member: 'A', score: 1 },
          { member: 'B', score: 2 },
          { member: 'C', score: 3 },
        ]);
        expect(await cache.rankings.rank(b, 'B', 'asc')).toBe(2);
        expect(await cache.rankings.rank(b, 'nobody', 'asc')).toBeNull();
        expect(await cache.rankings.rank(b, 'nobody', 'desc')).toBeNull();
        await cache.rankings.remove(b, ['B', 'nobody']);
        await cache.rankings.remove(b, []);
        expect(await cache.rankings.size(b)).toBe(2);
        expect(await cache.rankings.rank(b, 'B', 'asc')).toBeNull();
        expect(await cache.rankings.rank(b, 'C', 'asc')).toBe(2);
        expect(await cache.rankings.rank(b, 'C', 'desc')).toBe(1);
        await cache.rankings.remove(b, ['A', 'C']);
        expect(await cache.rankings.size(b)).toBe(0);
        expect(await cache.rankings.range(b, { order: 'asc', limit: 10 })).toEqual([]);
      });

      it('keeps boards independent', async () => {
        const [b1, b2] = [board('indep-1'), board('indep-2')];
        await cache.rankings.upsert(b1, [{ member: 'FR', score: 1 }]);
        await cache.rankings.upsert(b2, [{ member: 'FR', score: 2 }, { member: 'DE', score: 3 }]);
        expect(await cache.rankings.range(b1, { order: 'asc', limit: 10 })).toEqual([{ member: 'FR', score: 1 }]);
        await cache.rankings.drop(b2);
        expect(await cache.rankings.size(b1)).toBe(1);
        expect(await cache.rankings.size(b2)).toBe(0);
      });

      it('replaces a whole board, dropping members that are not in the new one', async () => {
        const b = board('replace');
        await cache.rankings.upsert(b, [
          { member: 'A', score: 1 },
          { member: 'B', score: 2 },
        ]);
        await cache.rankings.replace(b, [
          { member: 'B', score: 20 },
          { member: 'C', score: 30 },
          { member: 'C', score: -30 },
        ]);
        expect(await cache.rankings.range(b, { order: 'asc', limit: 10 })).toEqual([
          { member: 'C', score: -30 },
          { member: 'B', score: 20 },
        ]);
        expect(await cache.rankings.rank(b, 'A', 'asc')).toBeNull();
        // The replaced board is an ordinary board afterwards.
        await cache.rankings.upsert(b, [{ member: 'D', score: 0 }]);
        expect(await cache.rankings.size(b)).toBe(3);
        // Replacing with nothing empties the board.
        await cache.rankings.replace(b, []);
        expect(await cache.rankings.size(b)).toBe(0);
        expect(await cache.rankings.range(b, { order: 'desc', limit: 10 })).toEqual([]);
        // And a board can be created by replace.
        const fresh = board('replace-fresh');
        await cache.rankings.replace(fresh, [{ member: 'X', score: 1 }]);
        expect(await cache.rankings.range(fresh, { order: 'desc', limit: 10 })).toEqual([{ member: 'X', score: 1 }]);
      });

      it('replaces atomically: concurrent readers see the old or the new board, never an empty or mixed one', async () => {
        const b = board('replace-race');
        const versionA = Array.from({ length: 3_000 }, (_, i) => ({ member: `a${i}`, score: i % 50 }));
        const versionB = Array.from({ length: 1_500 }, (_, i) => ({ member: `b${i}`, score: -(i % 40) }));
        const expectedA = JSON.stringify(model(versionA).reverse());
        const expectedB = JSON.stringify(model(versionB).reverse());
        await cache.rankings.replace(b, versionA);
        // Readers on another connection when there is one: commands on one connection run in order.
        const view = factory.reopen ? await factory.reopen() : cache;

        let writing = true;
        const seen = { a: 0, b: 0, bad: [] as string[] };
        const reader = async () => {
          while (writing) {
            const [entries, size] = await Promise.all([view.rankings.range(b, { order: 'desc', ...all }), view.rankings.size(b)]);
            const json = JSON.stringify(entries);
            if (json === expectedA) seen.a++;
            else if (json === expectedB) seen.b++;
            else seen.bad.push(`range of ${entries.length} entries`);
            if (size !== versionA.length && size !== versionB.length) seen.bad.push(`size ${size}`);
          }
        };
        const readers = [reader(), reader(), reader()];
        try {
          for (let i = 0; i < 20; i++) await cache.rankings.replace(b, i % 2 === 0 ? versionB : versionA);
        } finally {
          writing = false;
          await Promise.all(readers);
          if (view !== cache) await view.close();
        }
        expect(seen.bad).toEqual([]);
        expect(seen.a + seen.b).toBeGreaterThan(0);
        expect(JSON.stringify(await cache.rankings.range(b, { order: 'desc', ...all }))).toBe(expectedA);
      });

      it('drops a board', async () => {
        const b = board('drop');
        await cache.rankings.upsert(b, [{ member: 'A', score: 1 }]);
        await cache.rankings.drop(b);
        expect(await cache.rankings.size(b)).toBe(0);
        expect(await cache.rankings.rank(b, 'A', 'desc')).toBeNull();
        await cache.rankings.upsert(b, [{ member: 'B', score: 2 }]);
        expect(await cache.rankings.range(b, { order: 'asc', limit: 10 })).toEqual([{ member: 'B', score: 2 }]);
      });
    });

    describe('permissions', () => {
      it('returns null for an unknown user', async () => {
        expect(await cache.permissions.get(user('unknown'))).toBeNull();
      });

      it('stores fields and reads them back', async () => {
        const u = user('basic');
        const fields = { role: 'analyst', countries: 'FR,DE', 'scope:write': 'false', note: 'ünïcødé ✓', empty: '' };
        await cache.permissions.put(u, fields);
        expect(await cache.permissions.get(u)).toEqual(fields);
      });

      it('replaces all fields on put, it does not merge', async () => {
        const u = user('replace');
        await cache.permissions.put(u, { role: 'admin', tenant: 't1', extra: 'x' });
        await cache.permissions.put(u, { role: 'viewer' });
        expect(await cache.permissions.get(u)).toEqual({ role: 'viewer' });
      });

      it('treats putting no fields as having no entry', async () => {
        const u = user('empty');
        await cache.permissions.put(u, { role: 'admin' });
        await cache.permissions.put(u, {});
        expect(await cache.permissions.get(u)).toBeNull();
      });

      it('deletes a user, and deleting an unknown one is harmless', async () => {
        const [u, other] = [user('delete'), user('delete-other')];
        await cache.permissions.put(u, { role: 'admin' });
        await cache.permissions.put(other, { role: 'viewer' });
        await cache.permissions.delete(u);
        await cache.permissions.delete(user('never-there'));
        expect(await cache.permissions.get(u)).toBeNull();
        expect(await cache.permissions.get(other)).toEqual({ role: 'viewer' });
      });

      it('is not affected by later changes to the objects passed in or handed out', async () => {
        const u = user('copies');
        const fields: Record<string, string> = { role: 'admin' };
        await cache.permissions.put(u, fields);
        fields.role = 'changed';
        const read = (await cache.permissions.get(u))!;
        read.role = 'mutated';
        read.added = 'x';
        expect(await cache.permissions.get(u)).toEqual({ role: 'admin' });

        const b = board('copies');
        const entries = [{ member: 'A', score: 1 }];
        await cache.rankings.upsert(b, entries);
        entries[0]!.score = 99;
        const out = await cache.rankings.range(b, { order: 'asc', limit: 1 });
        (out[0] as { score: number }).score = 42;
        expect(await cache.rankings.range(b, { order: 'asc', limit: 1 })).toEqual([{ member: 'A', score: 1 }]);
      });
    });

    describe('lifecycle', () => {
      it('answers ping', async () => {
        await expect(cache.ping()).resolves.toBeUndefined();
      });

      it('rejects operations with CacheUnavailableError after close, and closes idempotently', async () => {
        const other = await factory.create();
        await other.ping();
        await other.close();
        await other.close();
        await expect(other.ping()).rejects.toBeInstanceOf(CacheUnavailableError);
        await expect(other.responses.get(key('closed'))).rejects.toBeInstanceOf(CacheUnavailableError);
        await expect(other.rankings.size(board('closed'))).rejects.toBeInstanceOf(CacheUnavailableError);
        await expect(other.permissions.get(user('closed'))).rejects.toMatchObject({ code: 'CACHE_UNAVAILABLE', kind: 'unavailable' });
      });
    });
  });
}
