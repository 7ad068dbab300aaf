import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamRevisionConflictError, type EventStore, type RecordedEvent } from '../event-store.ts';
import { newEvent } from './fixtures.ts';

export interface EventStoreFactory {
  /** A store to test against. Stores may be shared across tests: every test uses fresh stream names. */
  create(): Promise<EventStore>;
  /** Opens a second, independent connection to the same store (another process' view), if the backend has one. */
  reopen?(): Promise<EventStore>;
}

const collect = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

/**
 * The behaviour every EventStore adapter must show. Run it from each adapter's test file:
 * `testEventStore('sqlite', { create: () => ... })`.
 */
export function testEventStore(name: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    // A unique prefix per run keeps tests independent on a shared, persistent server.
    const run = randomUUID().slice(0, 8);
    const stream = (label: string) => `contract_${run}-${label}-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await store.close();
    });

    describe('append and readStream', () => {
      it('appends to a new stream and reads it back in order with data and metadata intact', async () => {
        const s = stream('basic');
        const events = [newEvent('A', { n: 1, text: 'ünïcødé ✓' }), newEvent('B', { n: 2, nested: { list: [1, 2] } })];
        const result = await store.append(s, events, 'no_stream');
        expect(result.nextRevision).toBe(1);
        expect(result.position).toBeGreaterThan(0);

        const read = await collect(store.readStream(s));
        expect(read.map((e) => e.type)).toEqual(['A', 'B']);
        expect(read.map((e) => e.revision)).toEqual([0, 1]);
        expect(read[0]?.data).toEqual({ n: 1, text: 'ünïcødé ✓' });
        expect(read[1]?.data).toEqual({ n: 2, nested: { list: [1, 2] } });
        expect(read[0]?.metadata).toMatchObject(events[0]!.metadata);
        expect(read[1]?.position).toBe(result.position);
        expect(read[0]!.position).toBeLessThan(read[1]!.position);
        expect(read.every((e) => e.streamId === s)).toBe(true);
        expect(Number.isNaN(Date.parse(read[0]!.recordedAt))).toBe(false);
      });

      it('reports the revision of a stream, and null for an unknown one', async () => {
        const s = stream('rev');
        expect(await store.streamRevision(s)).toBeNull();
        await store.append(s, [newEvent('A'), newEvent('A'), newEvent('A')], 'no_stream');
        expect(await store.streamRevision(s)).toBe(2);
      });

      it('reads nothing from an unknown stream', async () => {
        expect(await collect(store.readStream(stream('none')))).toEqual([]);
      });

      it('reads backwards, from a revision, with a max count', async () => {
        const s = stream('window');
        await store.append(s, Array.from({ length: 10 }, (_, i) => newEvent('N', { i })), 'no_stream');
        const fwd = await collect(store.readStream(s, { fromRevision: 3, maxCount: 4 }));
        expect(fwd.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
        const back = await collect(store.readStream(s, { direction: 'backwards', maxCount: 3 }));
        expect(back.map((e) => e.revision)).toEqual([9, 8, 7]);
        const backFrom = await collect(store.readStream(s, { direction: 'backwards', fromRevision: 4, maxCount: 2 }));
        expect(backFrom.map((e) => e.revision)).toEqual([4, 3]);
      });

      it('appends an empty batch without effect', async () => {
        const s = stream('empty');
        await store.append(s, [newEvent('A')], 'no_stream');
        const result = await store.append(s, [], 0);
        expect(result.nextRevision).toBe(0);
        expect(await store.streamRevision(s)).toBe(0);
      });
    });

    describe('optimistic concurrency', () => {
      it('rejects a wrong expected revision with a typed conflict and stores nothing', async () => {
        const s = stream('conflict');
        await store.append(s, [newEvent('A'), newEvent('B')], 'no_stream');
        const attempt = store.append(s, [newEvent('C')], 0);
        await expect(attempt).rejects.toBeInstanceOf(StreamRevisionConflictError);
        await expect(attempt).rejects.toMatchObject({ code: 'STREAM_REVISION_CONFLICT', kind: 'conflict' });
        expect(await store.streamRevision(s)).toBe(1);
      });

      it('honours no_stream, stream_exists and any', async () => {
        const s = stream('expect');
        await expect(store.append(s, [newEvent('A')], 'stream_exists')).rejects.toBeInstanceOf(StreamRevisionConflictError);
        await store.append(s, [newEvent('A')], 'no_stream');
        await expect(store.append(s, [newEvent('B')], 'no_stream')).rejects.toBeInstanceOf(StreamRevisionConflictError);
        await store.append(s, [newEvent('B')], 'stream_exists');
        const r = await store.append(s, [newEvent('C')], 'any');
        expect(r.nextRevision).toBe(2);
        await expect(store.append(stream('exact'), [newEvent('A')], 0)).rejects.toBeInstanceOf(StreamRevisionConflictError);
      });

      it('lets exactly one of many concurrent appends with the same expected revision win', async () => {
        const s = stream('race');
        await store.append(s, [newEvent('Init')], 'no_stream');
        const writers = Array.from({ length: 10 }, (_, i) => store.append(s, [newEvent('Race', { i })], 0));
        const settled = await Promise.allSettled(writers);
        const won = settled.filter((r) => r.status === 'fulfilled');
        const lost = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const l of lost) expect(l.reason).toBeInstanceOf(StreamRevisionConflictError);
        expect((await collect(store.readStream(s))).map((e) => e.type)).toEqual(['Init', 'Race']);
      });

      it('lets exactly one win across two connections when the backend has them', async () => {
        if (!factory.reopen) return; // a backend with one connection per process: covered above
        const other = await factory.reopen();
        try {
          const s = stream('race2');
          await store.append(s, [newEvent('Init')], 'no_stream');
          const settled = await Promise.allSettled([
            store.append(s, [newEvent('X')], 0),
            other.append(s, [newEvent('Y')], 0),
            store.append(s, [newEvent('Z')], 0),
            other.append(s, [newEvent('W')], 0),
          ]);
          expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          expect(await store.streamRevision(s)).toBe(1);
        } finally {
          await other.close();
        }
      });
    });

    describe('idempotent append by event id', () => {
      it('returns the original result for a retried batch and stores nothing more', async () => {
        const s = stream('idem');
        const batch = [newEvent('A'), newEvent('B')];
        const first = await store.append(s, batch, 'no_stream');
        const retry = await store.append(s, batch, 'no_stream');
        expect(retry).toEqual(first);
        const again = await store.append(s, batch, 'any');
        expect(again).toEqual(first);
        expect(await store.streamRevision(s)).toBe(1);
        expect(await collect(store.readStream(s))).toHaveLength(2);
      });
    });

    describe('readAll', () => {
      it('orders events across streams by position and resumes after a position', async () => {
        const a = stream('all-a');
        const b = stream('all-b');
        const r1 = await store.append(a, [newEvent('OrderA', { k: 1 })], 'no_stream');
        const r2 = await store.append(b, [newEvent('OrderB', { k: 2 })], 'no_stream');
        const r3 = await store.append(a, [newEvent('OrderA', { k: 3 })], 0);
        expect(r1.position).toBeLessThan(r2.position);
        expect(r2.position).toBeLessThan(r3.position);

        const after = await collect(store.readAll({ after: r1.position, filter: { streamPrefixes: [a, b] } }));
        expect(after.map((e) => e.data)).toEqual([{ k: 2 }, { k: 3 }]);
        const positions = after.map((e) => e.position);
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(r3.position);
      });

      it('filters by event type and by stream prefix, and honours maxCount', async () => {
        const prefix = stream('filter');
        await store.append(`${prefix}-x`, [newEvent('Keep', { i: 1 }), newEvent('Drop')], 'no_stream');
        await store.append(`${prefix}-y`, [newEvent('Keep', { i: 2 }), newEvent('Keep', { i: 3 })], 'no_stream');
        await store.append(stream('other'), [newEvent('Keep', { i: 99 })], 'no_stream');

        const byPrefix = await collect(store.readAll({ filter: { streamPrefixes: [prefix] } }));
        expect(byPrefix.map((e) => e.type)).toEqual(['Keep', 'Drop', 'Keep', 'Keep']);
        const byBoth = await collect(store.readAll({ filter: { streamPrefixes: [prefix], eventTypes: ['Keep'] } }));
        expect(byBoth.map((e) => e.data)).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
        const limited = await collect(store.readAll({ filter: { streamPrefixes: [prefix] }, maxCount: 2 }));
        expect(limited).toHaveLength(2);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up, then hands over to live events under concurrent writes without gaps or duplicates', async () => {
        const prefix = stream('sub');
        const head = await store.headPosition();
        await store.append(`${prefix}-0`, Array.from({ length: 50 }, (_, i) => newEvent('Sub', { i })), 'no_stream');
        const sub = store.subscribeToAll({ after: head, filter: { streamPrefixes: [prefix] } });

        const writers = (async () => {
          for (let w = 1; w <= 10; w++) {
            await store.append(`${prefix}-${w}`, Array.from({ length: 10 }, (_, i) => newEvent('Sub', { i: 50 + (w - 1) * 10 + i })), 'no_stream');
          }
        })();

        const seen: RecordedEvent[] = [];
        for await (const e of sub) {
          seen.push(e);
          if (seen.length === 150) break;
        }
        await writers;
        await sub.close();
        const ids = new Set(seen.map((e) => e.metadata.eventId));
        expect(ids.size).toBe(150);
        const positions = seen.map((e) => e.position);
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        // Per stream, revisions arrive contiguously: no gap was skipped during the hand-over.
        const byStream = new Map<string, number[]>();
        for (const e of seen) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.revision]);
        for (const revs of byStream.values()) expect(revs).toEqual(revs.map((_, i) => i));
      });

      it('starts after a given position and delivers only matching event types', async () => {
        const prefix = stream('subpos');
        const first = await store.append(`${prefix}-a`, [newEvent('Old')], 'no_stream');
        const sub = store.subscribeToAll({ after: first.position, filter: { eventTypes: [`Wanted-${run}`] } });
        await store.append(`${prefix}-a`, [newEvent('Unwanted'), newEvent(`Wanted-${run}`, { ok: true })], 0);
        const iterator = sub[Symbol.asyncIterator]();
        const next = await iterator.next();
        expect(next.done).toBe(false);
        expect(next.value).toMatchObject({ type: `Wanted-${run}`, data: { ok: true }, revision: 2 });
        await sub.close();
      });

      it('splits the streams into disjoint shares by partition key: each share reads and subscribes to its own events only, together all of them', async () => {
        const prefix = stream('share');
        const head = await store.headPosition();
        // Streams named {prefix}-{group}-{n}: the group is the partition key, so a group stays in one share.
        const key = (streamId: string) => streamId.slice(0, streamId.lastIndexOf('-'));
        for (let g = 0; g < 6; g++) for (let n = 0; n < 2; n++) await store.append(`${prefix}-g${g}-${n}`, [newEvent('Shared', { g, n }), newEvent('Shared', { g, n, second: true })], 'no_stream');
        const filter = (index: number) => ({ streamPrefixes: [prefix], partition: { count: 3, index, key } });
        const shares = await Promise.all([0, 1, 2].map((index) => collect(store.readAll({ after: head, filter: filter(index) }))));
        expect(shares.flat()).toHaveLength(24);
        const owner = new Map<string, number>();
        shares.forEach((events, index) => {
          expect(events.map((e) => e.position), 'in position order').toEqual([...events.map((e) => e.position)].sort((a, b) => a - b));
          for (const e of events) {
            expect(owner.get(key(e.streamId)) ?? index, `group ${key(e.streamId)} in one share`).toBe(index);
            owner.set(key(e.streamId), index);
          }
        });
        expect(new Set(shares.flat().map((e) => e.metadata.eventId)).size).toBe(24);
        // maxCount counts the share's events, not the others' it skipped.
        const biggest = shares.reduce((a, b) => (b.length > a.length ? b : a));
        const index = shares.indexOf(biggest);
        expect(await collect(store.readAll({ after: head, filter: filter(index), maxCount: 3 }))).toEqual(biggest.slice(0, 3));
        // A subscription delivers the same share.
        const sub = store.subscribeToAll({ after: head, filter: filter(index) });
        const seen: RecordedEvent[] = [];
        for await (const e of sub) {
          seen.push(e);
          if (seen.length === biggest.length) break;
        }
        await sub.close();
        expect(seen.map((e) => e.metadata.eventId)).toEqual(biggest.map((e) => e.metadata.eventId));
      });

      it('delivers live events appended through another connection (another process sharing the store), in position order', async () => {
        if (!factory.reopen) return; // a backend with one connection per process: covered above
        const other = await factory.reopen();
        try {
          const prefix = stream('subother');
          const head = await store.headPosition();
          const sub = store.subscribeToAll({ after: head, filter: { streamPrefixes: [prefix] } });
          const seen: RecordedEvent[] = [];
          const reading = (async () => {
            for await (const e of sub) {
              seen.push(e);
              if (seen.length === 20) return;
            }
          })();
          // The subscriber is idle (caught up) when the other connection starts appending.
          await new Promise((r) => setTimeout(r, 50));
          for (let w = 0; w < 4; w++) await other.append(`${prefix}-${w}`, Array.from({ length: 5 }, (_, i) => newEvent('Other', { i })), 'no_stream');
          await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`only ${seen.length} of 20 events arrived`)), 10_000))]);
          await sub.close();
          expect(seen.map((e) => e.streamId)).toEqual([0, 1, 2, 3].flatMap((w) => Array.from({ length: 5 }, () => `${prefix}-${w}`)));
          const positions = seen.map((e) => e.position);
          expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        } finally {
          await other.close();
        }
      });

      it('ends the iteration when closed while waiting for live events', async () => {
        const head = await store.headPosition();
        const sub = store.subscribeToAll({ after: head, filter: { streamPrefixes: [stream('quiet')] } });
        const pending = (async () => {
          for await (const _ of sub) return 'event';
          return 'closed';
        })();
        await new Promise((r) => setTimeout(r, 50));
        await sub.close();
        await expect(pending).resolves.toBe('closed');
      });
    });

    describe('large streams', () => {
      it('stores and reads back 10,000 events in one stream, in batches', async () => {
        const s = stream('large');
        let expected: number | 'no_stream' = 'no_stream';
        for (let b = 0; b < 20; b++) {
          const r = await store.append(s, Array.from({ length: 500 }, (_, i) => newEvent('Big', { i: b * 500 + i })), expected);
          expected = r.nextRevision;
        }
        expect(await store.streamRevision(s)).toBe(9_999);
        let count = 0;
        let ordered = true;
        for await (const e of store.readStream(s)) {
          if ((e.data as { i: number }).i !== count || e.revision !== count) ordered = false;
          count++;
        }
        expect(count).toBe(10_000);
        expect(ordered).toBe(true);
        const tail = await collect(store.readStream(s, { direction: 'backwards', maxCount: 1 }));
        expect(tail[0]?.revision).toBe(9_999);
      }, 60_000);
    });
  });
}
