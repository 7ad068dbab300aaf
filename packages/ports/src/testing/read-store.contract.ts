import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentWrite, FindQuery, ReadStore, StoredDocument } from '../read-store.ts';

export interface ReadStoreFactory {
  /** A store to test against. Stores may be shared across tests: every test uses fresh collection names. */
  create(): Promise<ReadStore>;
  /** Opens a second, independent connection to the same store (another process' view), if the backend has one. */
  reopen?(): Promise<ReadStore>;
}

const put = (collection: string, id: string, doc: Record<string, unknown>, position: number): DocumentWrite => ({
  op: 'put',
  collection,
  id,
  doc,
  position,
});
const del = (collection: string, id: string, position: number): DocumentWrite => ({ op: 'delete', collection, id, position });

const ids = (docs: readonly StoredDocument[]): string[] => docs.map((d) => d.id);

/** A document with every JSON type a projection may store. */
const RICH_DOC = {
  name: 'Côte d’Ivoire — ünïcødé ✓ 日本語 😀',
  empty: '',
  quotes: 'it\'s "quoted" \\ back\nslash\ttab',
  zero: 0,
  negative: -17,
  fraction: 3.25,
  tiny: -1e-7,
  maxSafe: Number.MAX_SAFE_INTEGER,
  minSafe: Number.MIN_SAFE_INTEGER,
  huge: 1.5e300,
  yes: true,
  no: false,
  nothing: null,
  list: [1, 'two', { three: 3 }, [4], null, false],
  emptyList: [],
  emptyObject: {},
  nested: { deeper: { deepest: { value: 'x', n: -2.5 } }, list: [{ a: 1 }, { a: 2 }] },
};

/**
 * The behaviour every ReadStore adapter must show. Run it from each adapter's test file:
 * `testReadStore('sqlite', { create: () => ... })`.
 *
 * Beyond the port's comments it pins down:
 * - a missing collection reads as empty (get null, getMany [], find [], count and sum 0);
 * - find without orderBy returns documents by id, and ties in orderBy are broken by id, so
 *   limit/offset pages are stable;
 * - equality on null matches a null or missing field; a range matches values of its bounds'
 *   type only (a numeric range never matches strings, booleans or null, and vice versa);
 * - a delete leaves a tombstone, so an older put replayed later does not bring the document back;
 * - swapping from a source that was never written empties the target.
 * Ordering across mixed types, string order beyond the Basic Multilingual Plane, and conditions
 * on array-valued fields are backend-specific and deliberately not tested.
 */
export function testReadStore(name: string, factory: ReadStoreFactory): void {
  describe(`ReadStore contract: ${name}`, () => {
    let store: ReadStore;
    // A unique prefix per run keeps tests independent on a shared, persistent server.
    const run = randomUUID().slice(0, 8);
    const prefix = `contract_${run}`;
    const coll = (label: string) => `${prefix}-${label}-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await store?.close();
    });

    describe('documents', () => {
      it('round-trips a document with nested JSON, unicode, numbers, booleans and null, with its position', async () => {
        const c = coll('rich');
        const id = 'id with spaces/ünï:1 😀';
        await store.commit([put(c, id, RICH_DOC, 42)], { name: `${c}-cp`, position: 42 });
        const got = await store.get(c, id);
        expect(got).toEqual({ id, position: 42, doc: RICH_DOC });
        expect(Object.is(got?.doc.zero, 0)).toBe(true);
        const [found] = await store.find(c);
        expect(found).toEqual({ id, position: 42, doc: RICH_DOC });
      });

      it('reads a missing document, or a missing collection, as absent or empty', async () => {
        const c = coll('missing');
        expect(await store.get(c, 'nope')).toBeNull();
        expect(await store.find(c)).toEqual([]);
        expect(await store.find(c, { where: { a: 1 }, orderBy: [{ field: 'a', direction: 'desc' }], limit: 5 })).toEqual([]);
        expect(await store.count(c)).toBe(0);
        await store.commit([put(c, 'a', { v: 1 }, 1)], { name: `${c}-cp`, position: 1 });
        expect(await store.get(c, 'b')).toBeNull();
      });

      it('replaces the whole document on a put: fields absent from the new version disappear', async () => {
        const c = coll('replace');
        await store.commit([put(c, 'x', { a: 1, b: { c: 2 }, gone: 'yes' }, 1)], { name: `${c}-cp`, position: 1 });
        await store.commit([put(c, 'x', { a: 2, b: { d: 3 } }, 2)], { name: `${c}-cp`, position: 2 });
        expect(await store.get(c, 'x')).toEqual({ id: 'x', position: 2, doc: { a: 2, b: { d: 3 } } });
        expect(await store.count(c, { gone: 'yes' })).toBe(0);
      });

      it('reads several documents at once, in the order asked, each once, leaving missing and deleted ones out', async () => {
        const c = coll('many');
        await store.commit([put(c, 'a', { v: 1 }, 1), put(c, 'b', { v: 2 }, 2), put(c, 'c', { v: 3 }, 3), put(c, 'x y/ü', { v: 4 }, 4), del(c, 'b', 5)], {
          name: `${c}-cp`,
          position: 5,
        });
        expect(await store.getMany(c, ['c', 'nope', 'b', 'a', 'c', 'x y/ü'])).toEqual([
          { id: 'c', position: 3, doc: { v: 3 } },
          { id: 'a', position: 1, doc: { v: 1 } },
          { id: 'x y/ü', position: 4, doc: { v: 4 } },
        ]);
        expect(await store.getMany(c, [])).toEqual([]);
        expect(await store.getMany(coll('many-missing'), ['a'])).toEqual([]);
      });

      it('reads more documents at once than one lookup takes', async () => {
        const c = coll('many-large');
        const docIds = Array.from({ length: 1_234 }, (_, i) => `d${i}`);
        await store.commit(
          docIds.map((id, i) => put(c, id, { i }, i + 1)),
          { name: `${c}-cp`, position: docIds.length },
        );
        const asked = [...docIds].reverse();
        const got = await store.getMany(c, asked);
        expect(got.map((d) => d.id)).toEqual(asked);
        expect(got[0]).toEqual({ id: 'd1233', position: 1_234, doc: { i: 1_233 } });
      });

      it('writes to several collections in one commit', async () => {
        const a = coll('multi-a');
        const b = coll('multi-b');
        await store.commit([put(a, '1', { n: 1 }, 5), put(b, '1', { n: 2 }, 6), put(a, '2', { n: 3 }, 7)], { name: `${a}-cp`, position: 7 });
        expect(ids(await store.find(a))).toEqual(['1', '2']);
        expect(await store.get(b, '1')).toEqual({ id: '1', position: 6, doc: { n: 2 } });
        expect(await store.checkpoint(`${a}-cp`)).toBe(7);
      });
    });

    describe('position guard', () => {
      it('ignores a put at a lower or equal position than the stored one', async () => {
        const c = coll('guard');
        await store.commit([put(c, 'x', { v: 'ten' }, 10)], { name: `${c}-cp`, position: 10 });
        await store.commit([put(c, 'x', { v: 'five' }, 5)], { name: `${c}-cp`, position: 10 });
        await store.commit([put(c, 'x', { v: 'ten again' }, 10)], { name: `${c}-cp`, position: 10 });
        expect(await store.get(c, 'x')).toEqual({ id: 'x', position: 10, doc: { v: 'ten' } });
        await store.commit([put(c, 'x', { v: 'eleven' }, 11)], { name: `${c}-cp`, position: 11 });
        expect(await store.get(c, 'x')).toEqual({ id: 'x', position: 11, doc: { v: 'eleven' } });
      });

      it('changes nothing when the same batch is replayed', async () => {
        const c = coll('replay');
        const cp = `${c}-cp`;
        await store.commit([put(c, 'gone', { v: 0 }, 1)], { name: cp, position: 1 });
        const batch = [
          put(c, 'a', { v: 1 }, 2),
          put(c, 'b', { v: 2 }, 3),
          put(c, 'a', { v: 3 }, 4),
          del(c, 'gone', 5),
          put(c, 'c', { v: 4 }, 6),
        ];
        await store.commit(batch, { name: cp, position: 6 });
        const before = await store.find(c);
        expect(before).toEqual([
          { id: 'a', position: 4, doc: { v: 3 } },
          { id: 'b', position: 3, doc: { v: 2 } },
          { id: 'c', position: 6, doc: { v: 4 } },
        ]);
        await store.commit(batch, { name: cp, position: 6 });
        await store.commit(batch.slice(0, 2), { name: cp, position: 3 });
        expect(await store.find(c)).toEqual(before);
        expect(await store.get(c, 'gone')).toBeNull();
        expect(await store.checkpoint(cp)).toBe(6);
      });

      it('removes a document on a delete at a higher position, and an older put replayed later does not resurrect it', async () => {
        const c = coll('tombstone');
        const cp = `${c}-cp`;
        await store.commit([put(c, 'x', { v: 1 }, 10), put(c, 'y', { v: 2 }, 11)], { name: cp, position: 11 });
        await store.commit([del(c, 'x', 20)], { name: cp, position: 20 });
        expect(await store.get(c, 'x')).toBeNull();
        expect(ids(await store.find(c))).toEqual(['y']);
        expect(await store.count(c)).toBe(1);

        await store.commit([put(c, 'x', { v: 'replayed' }, 10), put(c, 'x', { v: 'late' }, 19), put(c, 'x', { v: 'same' }, 20)], {
          name: cp,
          position: 20,
        });
        expect(await store.get(c, 'x')).toBeNull();
        expect(await store.count(c, { v: 'late' })).toBe(0);

        await store.commit([put(c, 'x', { v: 'reborn' }, 21)], { name: cp, position: 21 });
        expect(await store.get(c, 'x')).toEqual({ id: 'x', position: 21, doc: { v: 'reborn' } });
      });

      it('ignores a delete at a lower or equal position', async () => {
        const c = coll('del-guard');
        await store.commit([put(c, 'x', { v: 1 }, 10)], { name: `${c}-cp`, position: 10 });
        await store.commit([del(c, 'x', 9), del(c, 'x', 10)], { name: `${c}-cp`, position: 10 });
        expect(await store.get(c, 'x')).toEqual({ id: 'x', position: 10, doc: { v: 1 } });
      });

      it('leaves a tombstone when deleting a document it never saw', async () => {
        const c = coll('del-unknown');
        await store.commit([del(c, 'x', 10)], { name: `${c}-cp`, position: 10 });
        expect(await store.get(c, 'x')).toBeNull();
        await store.commit([put(c, 'x', { v: 'older' }, 9)], { name: `${c}-cp`, position: 10 });
        expect(await store.get(c, 'x')).toBeNull();
        expect(await store.find(c)).toEqual([]);
        expect(await store.count(c)).toBe(0);
      });

      it('applies the writes to one document in position order, whatever their order in the batch', async () => {
        const c = coll('batch-order');
        await store.commit(
          [
            put(c, 'a', { v: 7 }, 7),
            put(c, 'a', { v: 5 }, 5),
            put(c, 'b', { v: 3 }, 3),
            del(c, 'b', 9),
            put(c, 'b', { v: 8 }, 8),
            del(c, 'c', 4),
            put(c, 'c', { v: 6 }, 6),
          ],
          { name: `${c}-cp`, position: 9 },
        );
        expect(await store.find(c)).toEqual([
          { id: 'a', position: 7, doc: { v: 7 } },
          { id: 'c', position: 6, doc: { v: 6 } },
        ]);
      });

      it('ends with the highest position when two connections write the same documents concurrently', async () => {
        if (!factory.reopen) return; // one connection per process: the sequential cases above cover it
        const other = await factory.reopen();
        try {
          const c = coll('race');
          const docIds = Array.from({ length: 50 }, (_, i) => `d${i}`);
          const batch = (position: number) => docIds.map((id) => put(c, id, { writer: position }, position));
          await Promise.all([
            store.commit(batch(10), { name: `${c}-cp`, position: 10 }),
            other.commit(batch(30), { name: `${c}-cp`, position: 30 }),
            store.commit(batch(20), { name: `${c}-cp`, position: 20 }),
            other.commit(batch(15), { name: `${c}-cp`, position: 15 }),
          ]);
          const docs = await store.find(c);
          expect(docs).toHaveLength(50);
          expect(docs.every((d) => d.position === 30 && d.doc.writer === 30)).toBe(true);
          expect(await store.checkpoint(`${c}-cp`)).toBe(30);
        } finally {
          await other.close();
        }
      });
    });

    describe('checkpoints', () => {
      it('is null when absent, and moves forward on commit but never back', async () => {
        const c = coll('cp');
        const cp = `${c}-cp v2 (shadow)`;
        expect(await store.checkpoint(cp)).toBeNull();
        await store.commit([put(c, 'x', { v: 1 }, 100)], { name: cp, position: 100 });
        expect(await store.checkpoint(cp)).toBe(100);
        await store.commit([put(c, 'y', { v: 2 }, 50)], { name: cp, position: 50 });
        expect(await store.checkpoint(cp)).toBe(100);
        // The writes of a commit with an older checkpoint are still applied (each is guarded on its own).
        expect(await store.get(c, 'y')).toEqual({ id: 'y', position: 50, doc: { v: 2 } });
        await store.commit([], { name: cp, position: 2 ** 40 });
        expect(await store.checkpoint(cp)).toBe(2 ** 40);
      });

      it('keeps checkpoints apart by name, and deletes one', async () => {
        const c = coll('cp-del');
        await store.commit([], { name: `${c}-a`, position: 7 });
        await store.commit([], { name: `${c}-b`, position: 0 });
        expect(await store.checkpoint(`${c}-a`)).toBe(7);
        expect(await store.checkpoint(`${c}-b`)).toBe(0);
        await store.deleteCheckpoint(`${c}-a`);
        expect(await store.checkpoint(`${c}-a`)).toBeNull();
        expect(await store.checkpoint(`${c}-b`)).toBe(0);
        await store.deleteCheckpoint(`${c}-a`);
        await store.deleteCheckpoint(`${c}-never`);
        // A deleted checkpoint starts over: a rebuild may begin again from an earlier position.
        await store.commit([], { name: `${c}-a`, position: 3 });
        expect(await store.checkpoint(`${c}-a`)).toBe(3);
      });
    });

    describe('find and count', () => {
      const countries = coll('countries');
      // pop: numbers incl. negative and decimal; code: strings; eu: booleans; gdp: missing or null for some.
      const docs: Record<string, Record<string, unknown>> = {
        at: { name: 'Austria', code: 'AT', region: 'europe', pop: 9.1, gdp: 516, eu: true },
        bd: { name: 'Bangladesh', code: 'BD', region: 'asia', pop: 171, gdp: 460, eu: false },
        br: { name: 'Brazil', code: 'BR', region: 'americas', pop: 216, gdp: 2170, eu: false },
        cn: { name: 'China', code: 'CN', region: 'asia', pop: 1410, gdp: 17790, eu: false },
        de: { name: 'Germany', code: 'DE', region: 'europe', pop: 84.5, gdp: 4460, eu: true },
        fr: { name: 'France', code: 'FR', region: 'europe', pop: 68.2, gdp: 3030, eu: true },
        in: { name: 'India', code: 'IN', region: 'asia', pop: 1430, gdp: 3550, eu: false },
        is: { name: 'Iceland', code: 'IS', region: 'europe', pop: 0.39, gdp: null, eu: false },
        mc: { name: 'Monaco', code: 'MC', region: 'europe', pop: 0.036, eu: false },
        xx: { name: 'Testland', code: 'XX', region: 'nowhere', pop: -1, gdp: 'unknown', eu: 'maybe' },
        zz: { name: 'Zeroland', code: 'ZZ', region: 'nowhere', pop: 0, gdp: -12.5, eu: false },
      };
      const find = async (query: FindQuery) => ids(await store.find(countries, query));

      beforeAll(async () => {
        const writes = Object.entries(docs).map(([id, doc], i) => put(countries, id, doc, i + 1));
        writes.push(put(countries, 'dead', { name: 'Atlantis', region: 'europe', pop: 5, eu: true }, 20), del(countries, 'dead', 21));
        await store.commit(writes, { name: `${countries}-cp`, position: 21 });
      });

      it('returns every live document, ordered by id, without a query', async () => {
        expect(await find({})).toEqual(Object.keys(docs));
        const all = await store.find(countries);
        expect(all.find((d) => d.id === 'de')).toEqual({ id: 'de', position: 5, doc: docs.de });
        expect(await store.count(countries)).toBe(11);
      });

      it('matches equality on strings, numbers and booleans', async () => {
        expect(await find({ where: { region: 'europe' } })).toEqual(['at', 'de', 'fr', 'is', 'mc']);
        expect(await find({ where: { code: 'de' } })).toEqual([]); // case-sensitive
        expect(await find({ where: { pop: 84.5 } })).toEqual(['de']);
        expect(await find({ where: { pop: 0 } })).toEqual(['zz']);
        expect(await find({ where: { eu: true } })).toEqual(['at', 'de', 'fr']);
        expect(await find({ where: { eu: false } })).toEqual(['bd', 'br', 'cn', 'in', 'is', 'mc', 'zz']);
        expect(await find({ where: { region: 'europe', eu: false } })).toEqual(['is', 'mc']);
        expect(await find({ where: { name: 'Nowhere' } })).toEqual([]);
        expect(await find({ where: { missingField: 'x' } })).toEqual([]);
      });

      it('does not confuse types: 1 is not true, "0" is not 0', async () => {
        const c = coll('types');
        await store.commit(
          [put(c, 'one', { v: 1 }, 1), put(c, 'true', { v: true }, 2), put(c, 'str', { v: '1' }, 3), put(c, 'zero', { v: 0 }, 4)],
          { name: `${c}-cp`, position: 4 },
        );
        expect(ids(await store.find(c, { where: { v: 1 } }))).toEqual(['one']);
        expect(ids(await store.find(c, { where: { v: true } }))).toEqual(['true']);
        expect(ids(await store.find(c, { where: { v: '1' } }))).toEqual(['str']);
        expect(ids(await store.find(c, { where: { v: false } }))).toEqual([]);
        expect(ids(await store.find(c, { where: { v: { in: [1, '1'] } } }))).toEqual(['one', 'str']);
        expect(ids(await store.find(c, { where: { v: { gte: 0 } } }))).toEqual(['one', 'zero']);
      });

      it('matches null against a null or missing field', async () => {
        expect(await find({ where: { gdp: null } })).toEqual(['is', 'mc']);
        expect(await store.count(countries, { gdp: null })).toBe(2);
      });

      it('matches membership with in', async () => {
        expect(await find({ where: { code: { in: ['FR', 'DE', 'QQ'] } } })).toEqual(['de', 'fr']);
        expect(await find({ where: { pop: { in: [0, 216, 84.5] } } })).toEqual(['br', 'de', 'zz']);
        expect(await find({ where: { gdp: { in: [null, 460] } } })).toEqual(['bd', 'is', 'mc']);
        expect(await find({ where: { region: { in: [] } } })).toEqual([]);
        expect(await find({ where: { eu: { in: [true] }, region: { in: ['europe', 'asia'] } } })).toEqual(['at', 'de', 'fr']);
      });

      it('matches numeric ranges, only against numbers', async () => {
        expect(await find({ where: { pop: { gte: 100 } } })).toEqual(['bd', 'br', 'cn', 'in']);
        expect(await find({ where: { pop: { lte: 0.39 } } })).toEqual(['is', 'mc', 'xx', 'zz']);
        expect(await find({ where: { pop: { gte: 0, lte: 84.5 } } })).toEqual(['at', 'de', 'fr', 'is', 'mc', 'zz']);
        expect(await find({ where: { pop: { gte: -1, lte: -1 } } })).toEqual(['xx']);
        // gdp is a string for xx and null or missing for is/mc: a numeric range leaves them out.
        expect(await find({ where: { gdp: { gte: -100 } } })).toEqual(['at', 'bd', 'br', 'cn', 'de', 'fr', 'in', 'zz']);
        expect(await find({ where: { gdp: { lte: 1e9 } } })).toEqual(['at', 'bd', 'br', 'cn', 'de', 'fr', 'in', 'zz']);
        expect(await find({ where: { pop: { gte: 1000 }, region: 'asia' } })).toEqual(['cn', 'in']);
      });

      it('matches string ranges, only against strings, comparing code points', async () => {
        expect(await find({ where: { name: { gte: 'F', lte: 'Iz' } } })).toEqual(['de', 'fr', 'in', 'is']);
        expect(await find({ where: { code: { lte: 'BR' } } })).toEqual(['at', 'bd', 'br']);
        expect(await find({ where: { code: { gte: 'X' } } })).toEqual(['xx', 'zz']);
        // gdp is a number for most: a string range only sees xx's "unknown".
        expect(await find({ where: { gdp: { gte: '' } } })).toEqual(['xx']);
        expect(await find({ where: { gdp: { lte: 'zzz' } } })).toEqual(['xx']);
        const c = coll('strings');
        const words = { a: 'apple', b: 'Banana', c: 'cherry', d: 'éclair', e: 'Zebra', f: 'zebra', g: '' };
        await store.commit(
          Object.entries(words).map(([id, w], i) => put(c, id, { w }, i + 1)),
          { name: `${c}-cp`, position: 10 },
        );
        // Binary order of code points: upper case before lower case, accents after ASCII.
        expect(ids(await store.find(c, { orderBy: [{ field: 'w', direction: 'asc' }] }))).toEqual(['g', 'b', 'e', 'a', 'c', 'f', 'd']);
        expect(ids(await store.find(c, { where: { w: { gte: 'a' } } }))).toEqual(['a', 'c', 'd', 'f']);
        expect(ids(await store.find(c, { where: { w: { gte: 'B', lte: 'Zz' } } }))).toEqual(['b', 'e']);
        expect(ids(await store.find(c, { where: { w: { gte: 'B', lte: 'b' } } }))).toEqual(['a', 'b', 'e']);
      });

      it('orders by one or several fields, ascending or descending', async () => {
        expect(await find({ orderBy: [{ field: 'pop', direction: 'desc' }] })).toEqual(['in', 'cn', 'br', 'bd', 'de', 'fr', 'at', 'is', 'mc', 'zz', 'xx']);
        expect(await find({ orderBy: [{ field: 'pop', direction: 'asc' }] })).toEqual(['xx', 'zz', 'mc', 'is', 'at', 'fr', 'de', 'bd', 'br', 'cn', 'in']);
        expect(await find({ where: { region: { in: ['europe', 'asia'] } }, orderBy: [{ field: 'region', direction: 'asc' }, { field: 'pop', direction: 'desc' }] })).toEqual([
          'in',
          'cn',
          'bd',
          'de',
          'fr',
          'at',
          'is',
          'mc',
        ]);
        expect(await find({ where: { region: { in: ['europe', 'asia'] } }, orderBy: [{ field: 'region', direction: 'desc' }, { field: 'name', direction: 'asc' }] })).toEqual([
          'at',
          'fr',
          'de',
          'is',
          'mc',
          'bd',
          'cn',
          'in',
        ]);
        expect(await find({ where: { region: 'nowhere' }, orderBy: [{ field: 'code', direction: 'desc' }] })).toEqual(['zz', 'xx']);
      });

      it('sorts a null or missing field before any value ascending, after every value descending', async () => {
        const gdpKnownNumbers = { region: { in: ['europe'] } };
        expect(await find({ where: gdpKnownNumbers, orderBy: [{ field: 'gdp', direction: 'asc' }] })).toEqual(['is', 'mc', 'at', 'fr', 'de']);
        expect(await find({ where: gdpKnownNumbers, orderBy: [{ field: 'gdp', direction: 'desc' }] })).toEqual(['de', 'fr', 'at', 'mc', 'is']);
      });

      it('breaks ties by id, so limit/offset pages cover every document exactly once', async () => {
        // region has ties; each page must continue where the previous one ended.
        for (const direction of ['asc', 'desc'] as const) {
          const orderBy = [{ field: 'region', direction }];
          const full = await find({ orderBy });
          expect(full).toHaveLength(11);
          const paged: string[] = [];
          for (let offset = 0; offset < 12; offset += 3) paged.push(...(await find({ orderBy, limit: 3, offset })));
          expect(paged).toEqual(full);
          expect(new Set(paged).size).toBe(11);
          const regions = full.map((id) => docs[id]!.region as string);
          expect(regions).toEqual([...regions].sort((a, b) => (direction === 'asc' ? (a < b ? -1 : a > b ? 1 : 0) : a < b ? 1 : a > b ? -1 : 0)));
        }
        expect(await find({ where: { region: 'europe' }, orderBy: [{ field: 'eu', direction: 'asc' }] })).toEqual(['is', 'mc', 'at', 'de', 'fr']);
      });

      it('applies limit and offset after filtering and ordering', async () => {
        const orderBy = [{ field: 'pop', direction: 'desc' as const }];
        expect(await find({ orderBy, limit: 2 })).toEqual(['in', 'cn']);
        expect(await find({ orderBy, limit: 2, offset: 2 })).toEqual(['br', 'bd']);
        expect(await find({ orderBy, offset: 9 })).toEqual(['zz', 'xx']);
        expect(await find({ orderBy, offset: 50 })).toEqual([]);
        expect(await find({ orderBy, limit: 0 })).toEqual([]);
        expect(await find({ where: { region: 'europe' }, orderBy, limit: 1, offset: 1 })).toEqual(['fr']);
        expect(await find({ limit: 3 })).toEqual(['at', 'bd', 'br']);
      });

      it('counts with and without conditions, leaving deleted documents out', async () => {
        expect(await store.count(countries)).toBe(11);
        expect(await store.count(countries, {})).toBe(11);
        expect(await store.count(countries, { region: 'europe' })).toBe(5);
        expect(await store.count(countries, { region: 'europe', eu: true })).toBe(3);
        expect(await store.count(countries, { pop: { gte: 100, lte: 1000 } })).toBe(2);
        expect(await store.count(countries, { code: { in: ['AT', 'BD', 'no'] } })).toBe(2);
        expect(await store.count(countries, { name: 'Atlantis' })).toBe(0);
        expect(await store.find(countries, { where: { name: 'Atlantis' } })).toEqual([]);
      });

      it('sums a numeric field over the matching documents, ignoring other types and deleted documents', async () => {
        expect(await store.sum(countries, 'gdp')).toBeCloseTo(516 + 460 + 2170 + 17790 + 4460 + 3030 + 3550 - 12.5, 6);
        expect(await store.sum(countries, 'pop', { region: 'asia' })).toBe(171 + 1410 + 1430);
        expect(await store.sum(countries, 'pop', { region: 'nowhere', pop: { gte: 0 } })).toBe(0);
        expect(await store.sum(countries, 'pop', { name: 'Atlantis' })).toBe(0);
        expect(await store.sum(countries, 'name')).toBe(0);
        expect(await store.sum(countries, 'missingField')).toBe(0);
        expect(await store.sum(coll('sum-missing'), 'pop')).toBe(0);
        await expect(store.sum(countries, 'a; DROP TABLE x')).rejects.toThrow();
      });

      it('rejects field names that are not plain identifiers, before reaching the backend', async () => {
        for (const field of ['a; DROP TABLE x', "x')--", '$where', 'a.b', '', 'a b', '__proto__.x']) {
          await expect(store.find(countries, { where: { [field]: 1 } })).rejects.toThrow();
          await expect(store.find(countries, { orderBy: [{ field, direction: 'asc' }] })).rejects.toThrow();
          await expect(store.count(countries, { [field]: 1 })).rejects.toThrow();
          await expect(store.ensureIndex(countries, [field])).rejects.toThrow();
        }
        expect(await store.count(countries)).toBe(11);
      });

      it('treats values as data, never as query syntax', async () => {
        const c = coll('injection');
        const nasty = ["'; DROP TABLE x; --", '{"$gt": ""}', '$where', "') OR 1=1 --", '\\', '%_*'];
        await store.commit(
          nasty.map((v, i) => put(c, `n${i}`, { v }, i + 1)),
          { name: `${c}-cp`, position: nasty.length },
        );
        for (const [i, v] of nasty.entries()) {
          expect(ids(await store.find(c, { where: { v } }))).toEqual([`n${i}`]);
          expect(await store.get(c, v)).toBeNull();
        }
        expect(await store.count(c, { v: { in: nasty.slice(0, 2) } })).toBe(2);
        expect(await store.count(c)).toBe(nasty.length);
      });
    });

    describe('indexes', () => {
      it('declares indexes idempotently, and queries return the same with them', async () => {
        const c = coll('indexed');
        await store.ensureIndex(c, ['region', 'pop']); // before the collection has documents
        const writes = Array.from({ length: 200 }, (_, i) => put(c, `d${String(i).padStart(3, '0')}`, { region: `r${i % 4}`, pop: i, tag: i % 2 === 0 }, i + 1));
        await store.commit(writes, { name: `${c}-cp`, position: 200 });
        const query: FindQuery = {
          where: { region: 'r1', pop: { gte: 50, lte: 150 } },
          orderBy: [{ field: 'pop', direction: 'desc' }],
          limit: 5,
        };
        const before = ids(await store.find(c, query));
        expect(before).toEqual(['d149', 'd145', 'd141', 'd137', 'd133']);
        await store.ensureIndex(c, ['region', 'pop']);
        await store.ensureIndex(c, ['pop']);
        await store.ensureIndex(c, ['pop']);
        await store.ensureIndex(c, ['tag']);
        expect(ids(await store.find(c, query))).toEqual(before);
        expect(await store.count(c, { region: 'r1', pop: { gte: 50, lte: 150 } })).toBe(25);
        expect(await store.count(c, { tag: true })).toBe(100);
        await store.commit([put(c, 'd149', { region: 'r1', pop: 1000 }, 300)], { name: `${c}-cp`, position: 300 });
        expect(ids(await store.find(c, query))).toEqual(['d145', 'd141', 'd137', 'd133', 'd129']);
      });
    });

    describe('collections', () => {
      it('swaps a source into a target: the target then holds exactly the source documents, the source is gone', async () => {
        const live = coll('live');
        const shadow = coll('shadow');
        await store.ensureIndex(live, ['v']);
        await store.commit(
          [put(live, 'old-only', { v: 'old' }, 1), put(live, 'both', { v: 'old' }, 2), put(live, 'old-too', { v: 'old' }, 3)],
          { name: `${live}-cp`, position: 3 },
        );
        await store.ensureIndex(shadow, ['v']);
        await store.commit(
          [put(shadow, 'both', { v: 'new' }, 2), put(shadow, 'new-only', { v: 'new' }, 5), put(shadow, 'tomb', { v: 'new' }, 6), del(shadow, 'tomb', 7)],
          { name: `${shadow}-cp`, position: 7 },
        );
        await store.swapCollection(shadow, live);
        expect(await store.find(live)).toEqual([
          { id: 'both', position: 2, doc: { v: 'new' } },
          { id: 'new-only', position: 5, doc: { v: 'new' } },
        ]);
        expect(await store.get(live, 'old-only')).toBeNull();
        expect(await store.find(shadow)).toEqual([]);
        expect(await store.count(shadow)).toBe(0);
        const names = await store.listCollections(prefix);
        expect(names).toContain(live);
        expect(names).not.toContain(shadow);
        // Checkpoints are not collections: both survive.
        expect(await store.checkpoint(`${shadow}-cp`)).toBe(7);
        // Positions and tombstones moved with the documents.
        await store.commit([put(live, 'both', { v: 'stale' }, 2), put(live, 'tomb', { v: 'stale' }, 6)], { name: `${live}-cp`, position: 7 });
        expect(await store.get(live, 'both')).toEqual({ id: 'both', position: 2, doc: { v: 'new' } });
        expect(await store.get(live, 'tomb')).toBeNull();
        await store.ensureIndex(live, ['v']);
        expect(ids(await store.find(live, { where: { v: 'new' }, orderBy: [{ field: 'v', direction: 'asc' }] }))).toEqual(['both', 'new-only']);
        // The source name is free again.
        await store.commit([put(shadow, 'fresh', { v: 1 }, 1)], { name: `${shadow}-cp`, position: 7 });
        expect(ids(await store.find(shadow))).toEqual(['fresh']);
        expect(ids(await store.find(live))).toEqual(['both', 'new-only']);
      });

      it('swaps into a target that did not exist', async () => {
        const target = coll('new-target');
        const source = coll('new-source');
        await store.commit([put(source, 'a', { v: 1 }, 1)], { name: `${source}-cp`, position: 1 });
        await store.swapCollection(source, target);
        expect(await store.find(target)).toEqual([{ id: 'a', position: 1, doc: { v: 1 } }]);
        expect(await store.listCollections(source)).toEqual([]);
      });

      it('empties the target when swapping from a source that was never written', async () => {
        const target = coll('emptied');
        await store.commit([put(target, 'a', { v: 1 }, 1)], { name: `${target}-cp`, position: 1 });
        await store.swapCollection(coll('never'), target);
        expect(await store.find(target)).toEqual([]);
        expect(await store.count(target)).toBe(0);
      });

      it('drops a collection with its documents and tombstones; dropping a missing one is fine', async () => {
        const c = coll('drop');
        await store.commit([put(c, 'a', { v: 1 }, 10), del(c, 'b', 11)], { name: `${c}-cp`, position: 11 });
        await store.dropCollection(c);
        expect(await store.find(c)).toEqual([]);
        expect(await store.listCollections(c)).toEqual([]);
        expect(await store.checkpoint(`${c}-cp`)).toBe(11);
        await store.commit([put(c, 'b', { v: 'again' }, 1)], { name: `${c}-cp`, position: 1 });
        expect(await store.get(c, 'b')).toEqual({ id: 'b', position: 1, doc: { v: 'again' } });
        await store.dropCollection(coll('never'));
      });

      it('lists collections, by prefix, sorted', async () => {
        const group = `${prefix}-list-${randomUUID().slice(0, 8)}`;
        const names = [`${group}-b`, `${group}-a`, `${group}-c.v2`];
        await store.commit(
          names.map((n, i) => put(n, 'x', { i }, i + 1)),
          { name: `${group}-cp`, position: 3 },
        );
        await store.ensureIndex(`${group}-d`, ['i']);
        expect(await store.listCollections(group)).toEqual([`${group}-a`, `${group}-b`, `${group}-c.v2`, `${group}-d`]);
        expect(await store.listCollections(`${group}-c`)).toEqual([`${group}-c.v2`]);
        expect(await store.listCollections(`${group}-z`)).toEqual([]);
        const all = await store.listCollections();
        for (const n of names) expect(all).toContain(n);
        expect(all).not.toContain(`${group}-cp`);
      });
    });

    describe('large batches', () => {
      it('commits 20,000 writes in one batch, and a replay of it changes nothing', async () => {
        const c = coll('large');
        const writes = Array.from({ length: 20_000 }, (_, i) => put(c, `doc-${i}`, { i, group: i % 10, label: `label ${i} ✓` }, 1_000 + i));
        await store.ensureIndex(c, ['group', 'i']);
        await store.commit(writes, { name: `${c}-cp`, position: 20_999 });
        expect(await store.count(c)).toBe(20_000);
        expect(await store.checkpoint(`${c}-cp`)).toBe(20_999);
        expect(await store.get(c, 'doc-12345')).toEqual({ id: 'doc-12345', position: 13_345, doc: { i: 12_345, group: 5, label: 'label 12345 ✓' } });
        const top = await store.find(c, { where: { group: 3, i: { gte: 10_000 } }, orderBy: [{ field: 'i', direction: 'desc' }], limit: 3 });
        expect(ids(top)).toEqual(['doc-19993', 'doc-19983', 'doc-19973']);

        await store.commit(
          writes.map((w) => (w.op === 'put' ? { ...w, doc: { replayed: true } } : w)),
          { name: `${c}-cp`, position: 20_999 },
        );
        expect(await store.count(c, { replayed: true })).toBe(0);
        expect(await store.count(c, { group: 3 })).toBe(2_000);
        expect(await store.get(c, 'doc-0')).toEqual({ id: 'doc-0', position: 1_000, doc: { i: 0, group: 0, label: 'label 0 ✓' } });
      }, 120_000);
    });

    describe('connection', () => {
      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}
