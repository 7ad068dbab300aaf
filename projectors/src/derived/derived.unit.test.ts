import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import { CacheUnavailableError, type Cache, type ReadStore } from '@nationpulse/ports';
import { collections, projections, type IndicatorYearDoc } from '@nationpulse/read-models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSyncMarker, type DerivedStage } from './derived-sync.ts';
import { RANKINGS_SYNC_MARKER, rankingBoard } from './keys.ts';
import { createRankingBoardsSync, syncAllRankingBoards } from './rankings-boards.ts';
import { createDerivedStructures } from './index.ts';
import { combineHooks } from './response-cache.ts';
import { expectBoardsMatchStore, testDerivedStructures } from './testing/scenarios.ts';

testDerivedStructures('in-process cache', { create: async () => createInProcessCache({ sweepIntervalMs: 0 }) });

/** An indicator-year document's write; WLD is the aggregate. */
const put = (indicator: string, year: number, values: Record<string, number>, position: number) => {
  const countries = Object.fromEntries(Object.entries(values).filter(([c]) => c !== 'WLD'));
  const doc: IndicatorYearDoc = { indicator, year, countries, aggregates: 'WLD' in values ? { WLD: values.WLD } : {}, countryCount: Object.keys(countries).length };
  return { op: 'put' as const, collection: collections.indicatorYears, id: `${indicator}:${year}`, doc: { ...doc }, position };
};

describe('ranking boards sync', () => {
  let readStore: ReadStore;
  let cache: Cache;
  beforeEach(() => {
    readStore = createSqliteReadStore({ path: ':memory:' });
    cache = createInProcessCache({ sweepIntervalMs: 0 });
  });
  afterEach(async () => {
    await readStore.close();
    await cache.close();
  });

  it('rebuilds every board page by page, indicator by indicator, and marks them synced at the checkpoint', async () => {
    const writes = [];
    let position = 0;
    for (const indicator of ['A.B', 'A.B.C', 'A.BA', 'SP.POP.TOTL']) {
      for (const year of [2000, 2001, 2002]) {
        writes.push(put(indicator, year, Object.fromEntries(['FRA', 'DEU', 'ITA', 'ESP', 'WLD'].map((country, i) => [country, (i * 7) % 3])), ++position));
      }
    }
    await readStore.commit(writes, { name: 'observations', position: 99 });
    // Several pages, the last one partial.
    expect(await syncAllRankingBoards(readStore, cache, { pageSize: 5 })).toBe('synced');
    expect(await expectBoardsMatchStore(readStore, cache)).toBe(12);
    expect(await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER)).toEqual({ position: 99, version: 2 });
    expect(await syncAllRankingBoards(readStore, cache)).toBe('fresh');
    await readStore.commit([], { name: 'observations', position: 100 });
    // Moved on without the boards (another process without the cache): a resync.
    expect(await syncAllRankingBoards(readStore, cache)).toBe('synced');
  });

  it('replaces the board of each written indicator-year with its countries, drops the board of a deleted one', async () => {
    const calls: string[] = [];
    const spied: Cache = {
      ...cache,
      rankings: {
        ...cache.rankings,
        upsert: async (board, entries) => {
          calls.push(`upsert ${board} ${entries.map((e) => e.member).join(',')}`);
          return cache.rankings.upsert(board, entries);
        },
        replace: async (board, entries) => {
          calls.push(`replace ${board} ${entries.map((e) => e.member).join(',')}`);
          return cache.rankings.replace(board, entries);
        },
        drop: async (board) => {
          calls.push(`drop ${board}`);
          return cache.rankings.drop(board);
        },
      },
    };
    const sync = createRankingBoardsSync(readStore, spied);
    await sync.syncIfStale();
    calls.length = 0;
    await sync.hooks.beforeCommit!([put('X.Y', 2000, { FRA: 1, DEU: 2, WLD: 9 }, 2), put('X.Y', 2001, { FRA: 3 }, 3)]);
    expect(calls.sort()).toEqual(['replace rank:X.Y:2000 FRA,DEU', 'replace rank:X.Y:2001 FRA', 'upsert derived:rankings:boards rank:X.Y:2000,rank:X.Y:2001']);
    expect(await cache.rankings.range(rankingBoard('X.Y', 2000), { order: 'desc', limit: 10 })).toEqual([
      { member: 'DEU', score: 2 },
      { member: 'FRA', score: 1 },
    ]);
    calls.length = 0;
    await sync.hooks.beforeCommit!([{ op: 'delete', collection: collections.indicatorYears, id: 'X.Y:2000', position: 5 }, { op: 'put', collection: 'other', id: 'x', doc: {}, position: 5 }]);
    expect(calls).toEqual(['drop rank:X.Y:2000']);
    expect(await cache.rankings.size(rankingBoard('X.Y', 2000))).toBe(0);
  });

  it('never stops the projection on a cache failure: the marker stays put, and the boards are resynced once the cache is back', async () => {
    let broken = false;
    let now = 0;
    const failing = () => {
      if (broken) throw new CacheUnavailableError('Redis cache unavailable: down');
    };
    const flaky: Cache = {
      ...cache,
      rankings: {
        ...cache.rankings,
        upsert: async (board, entries) => (failing(), cache.rankings.upsert(board, entries)),
        range: async (board, options) => (failing(), cache.rankings.range(board, options)),
        replace: async (board, entries) => (failing(), cache.rankings.replace(board, entries)),
        drop: async (board) => (failing(), cache.rankings.drop(board)),
      },
    };
    const errors: DerivedStage[] = [];
    const sync = createRankingBoardsSync(readStore, flaky, { retryAfterMs: 1_000, now: () => now, onError: (_e, { stage }) => errors.push(stage) });
    await sync.syncIfStale();
    const commit = async (write: ReturnType<typeof put>) => {
      await sync.hooks.beforeCommit!([write]);
      await readStore.commit([write], { name: 'observations', position: write.position });
      await sync.committed(write.position);
    };
    await commit(put('X.Y', 2000, { FRA: 1 }, 1));
    expect((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))?.position).toBe(1);

    broken = true;
    await commit(put('X.Y', 2000, { FRA: 1, DEU: 2 }, 2)); // resolves: the projection goes on
    expect(errors).toEqual(['apply']);
    broken = false;
    await commit(put('X.Y', 2000, { FRA: 1, DEU: 2, ITA: 3 }, 3)); // within retryAfterMs: not applied, marker not moved
    expect((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))?.position).toBe(1);
    expect(await cache.rankings.size(rankingBoard('X.Y', 2000))).toBe(1);

    now = 1_000;
    await commit(put('X.Y', 2000, { FRA: 1, DEU: 2, ITA: 3, ESP: 4 }, 4)); // resynced from the read store, then applied
    expect(await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER)).toEqual({ position: 4, version: 2 });
    await expectBoardsMatchStore(readStore, cache);
  });

  it('resyncs rather than vouch for boards the cache brought back from an older snapshot', async () => {
    const sync = createRankingBoardsSync(readStore, cache);
    await sync.syncIfStale();
    const commit = async (write: ReturnType<typeof put>) => {
      await sync.hooks.beforeCommit!([write]);
      await readStore.commit([write], { name: 'observations', position: write.position });
      await sync.committed(write.position);
    };
    await commit(put('X.Y', 2000, { FRA: 1 }, 1));
    const snapshot = await cache.rankings.range(rankingBoard('X.Y', 2000), { order: 'asc', limit: 10 });
    await commit(put('X.Y', 2000, { FRA: 1, DEU: 2 }, 2));
    // Redis restarted from a snapshot taken at position 1: boards and marker as they were then.
    await cache.rankings.replace(rankingBoard('X.Y', 2000), snapshot);
    await cache.rankings.replace(RANKINGS_SYNC_MARKER, [
      { member: 'position', score: 1 },
      { member: 'version', score: 2 },
    ]);
    await commit(put('X.Y', 2000, { FRA: 1, DEU: 2, ITA: 3 }, 3));
    expect(await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER)).toEqual({ position: 3, version: 2 });
    await expectBoardsMatchStore(readStore, cache);
  });

  it('withdraws the marker before a swap, and refuses the swap when it cannot', async () => {
    const sync = createRankingBoardsSync(readStore, cache);
    await sync.syncIfStale();
    expect(await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER)).not.toBeNull();
    await sync.beforeSwap();
    expect(await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER)).toBeNull();
    await sync.committed(7); // the swap's checkpoint: still no marker until afterSwap resynced
    expect(await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER)).toBeNull();
    await readStore.commit([], { name: 'observations', position: 7 });
    await sync.hooks.afterSwap!();
    expect((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))?.position).toBe(7);

    await cache.close();
    await expect(sync.beforeSwap()).rejects.toBeInstanceOf(CacheUnavailableError);
  });
});

describe('createDerivedStructures', () => {
  it('tells the syncs of checkpoint moves and withdraws the marker before the live collection is swapped', async () => {
    const readStore = createSqliteReadStore({ path: ':memory:' });
    const cache = createInProcessCache({ sweepIntervalMs: 0 });
    const seen: (number | null)[] = [];
    const spied: ReadStore = {
      ...readStore,
      swapCollection: async (source, target) => {
        seen.push((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))?.position ?? null);
        return readStore.swapCollection(source, target);
      },
    };
    const derived = createDerivedStructures({ readStore: spied, cache, projections });
    expect(Object.keys(derived.hooks).sort()).toEqual(['change-log', 'country-profiles', 'ingestion-runs', 'observations', 'reports', 'series', 'users']);
    await derived.syncIfStale();
    await derived.readStore.commit([put('X.Y', 2000, { FRA: 1 }, 4)], { name: 'observations', position: 5 });
    expect((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))?.position).toBe(5);
    await derived.readStore.commit([], { name: 'observations:shadow', position: 9 });
    expect((await readSyncMarker(cache.rankings, RANKINGS_SYNC_MARKER))?.position).toBe(5);

    await readStore.commit([put('X.Y', 2000, { FRA: 1 }, 4)], { name: 'other', position: 1 }); // creates the table
    await readStore.swapCollection('indicator_years', 'indicator_years__shadow');
    await derived.readStore.swapCollection('indicator_years__shadow', 'indicator_years');
    expect(seen).toEqual([null]);
    await derived.hooks['observations']!.afterSwap!(); // the manager's next step: resynced, marked again
    await derived.readStore.swapCollection('other', 'unrelated');
    expect(seen).toEqual([null, 5]);
    await readStore.close();
    await cache.close();
  });
});

describe('combineHooks', () => {
  it('runs every hook in order and leaves out what none has', async () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      { beforeCommit: async (w) => void seen.push(`a${w.length}`) },
      undefined,
      { beforeCommit: async () => void seen.push('b'), afterSwap: async () => void seen.push('swap') },
    );
    await hooks.beforeCommit!([]);
    await hooks.afterSwap!();
    expect(seen).toEqual(['a0', 'b', 'swap']);
    expect(combineHooks({ beforeCommit: async () => undefined })).not.toHaveProperty('afterSwap');
  });
});
