import { createInProcessCache } from '@nationpulse/embedded/in-process-cache';
import { CacheUnavailableError, type Cache, type RankedMember, type ReadStore } from '@nationpulse/ports';
import { collections, type IndicatorYearDoc } from '@nationpulse/read-models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReadSide } from '../../composition.ts';
import { RANKINGS_SYNC_MARKER, rankingBoard, SYNC_MARKER_POSITION, SYNC_MARKER_VERSION } from '../../query-handling/cache-keys.ts';
import { dataset, documentsOf, seededPositions, seededReadStore, type Dataset } from '../../testing/read-side-fixture.ts';
import { queries } from '../catalogue.ts';
import { createRankingBoardsReader } from './ranking-boards.ts';

/** Ties on purpose: three countries at 1.5 in 2024, two at 0 (one of them -0). */
const ties: Dataset = {
  'SP.POP.GROW': { FRA: { 2024: 1.5 }, DEU: { 2024: 1.5 }, ITA: { 2024: 0 }, ESP: { 2024: 1.5 }, JPN: { 2024: -0 }, PRT: { 2024: -2 }, WLD: { 2024: 1.5 } },
};
const OBSERVATIONS = seededPositions.observations;

/** Boards as the projectors build them: every country's value of each indicator-year. */
const buildBoards = async (readStore: ReadStore, cache: Cache, markerAt: number) => {
  for (const { doc } of await readStore.find<IndicatorYearDoc>(collections.indicatorYears)) {
    const entries: RankedMember[] = Object.entries(doc.countries).map(([member, score]) => ({ member, score }));
    await cache.rankings.replace(rankingBoard(doc.indicator, doc.year), entries);
  }
  await setMarker(cache, markerAt);
};
const setMarker = (cache: Cache, position: number) =>
  cache.rankings.replace(RANKINGS_SYNC_MARKER, [
    { member: SYNC_MARKER_POSITION, score: position },
    { member: SYNC_MARKER_VERSION, score: 1 },
  ]);

let readStore: ReadStore;
let cache: Cache;
let boardReads: number;
/** The cache, counting board reads (range on a ranking board) to tell which path answered. */
let counted: Cache;
beforeEach(async () => {
  readStore = await seededReadStore();
  await readStore.commit(documentsOf(ties, 2).observations, { name: 'observations', position: OBSERVATIONS });
  cache = createInProcessCache({ sweepIntervalMs: 0 });
  boardReads = 0;
  counted = {
    ...cache,
    rankings: {
      ...cache.rankings,
      range: async (board, options) => {
        if (board.startsWith('rank:')) boardReads++;
        return cache.rankings.range(board, options);
      },
    },
  };
});
afterEach(async () => {
  await readStore.close();
  await cache.close();
});

const inputs = () => {
  const out: { indicator: string; year: number; order: 'asc' | 'desc'; limit: number }[] = [];
  for (const data of [dataset, ties]) {
    for (const [indicator, byCountry] of Object.entries(data)) {
      const years = new Set(Object.values(byCountry).flatMap((byYear) => Object.keys(byYear).map(Number)));
      for (const year of years) for (const order of ['asc', 'desc'] as const) for (const limit of [1, 2, 3, 10]) out.push({ indicator, year, order, limit });
    }
  }
  return out;
};

describe('rankings from the cache boards', () => {
  it('answers exactly what the read store answers, ties included (by country code, in the direction asked)', async () => {
    await buildBoards(readStore, cache, OBSERVATIONS);
    const viaBoards = createReadSide({ readStore, cache: counted }).executor;
    const viaStore = createReadSide({ readStore }).executor;
    for (const input of inputs()) {
      expect(await viaBoards.execute(queries.rankings, input), JSON.stringify(input)).toEqual(await viaStore.execute(queries.rankings, input));
    }
    expect(boardReads).toBe(inputs().length);
    const desc = await viaBoards.execute(queries.rankings, { indicator: 'SP.POP.GROW', year: 2024, order: 'desc' });
    expect(desc.result.entries.map((e) => e.country)).toEqual(['FRA', 'ESP', 'DEU', 'JPN', 'ITA', 'PRT']);
    expect(desc.result.total).toBe(6);
    const asc = await viaBoards.execute(queries.rankings, { indicator: 'SP.POP.GROW', year: 2024, order: 'asc' });
    expect(asc.result.entries.map((e) => e.country)).toEqual(['PRT', 'ITA', 'JPN', 'DEU', 'ESP', 'FRA']);
    // The dashboard ranks through the same path.
    expect(await viaBoards.execute(queries.dashboard, { dashboard: 'population' })).toEqual(await viaStore.execute(queries.dashboard, { dashboard: 'population' }));
  });

  it('falls back to the read store when the marker is missing or behind the position the answer reports', async () => {
    await buildBoards(readStore, cache, OBSERVATIONS);
    // Boards that would give away the path they came from.
    await cache.rankings.replace(rankingBoard('SP.POP.TOTL', 2022), [{ member: 'XXX', score: 1 }]);
    const executor = createReadSide({ readStore, cache: counted }).executor;
    const input = { indicator: 'SP.POP.TOTL', year: 2022, limit: 3 };
    const countries = async (minPosition?: number) =>
      (await executor.execute(queries.rankings, input, minPosition === undefined ? {} : { minPosition })).result.entries.map((e) => e.country);

    expect(await countries()).toEqual(['XXX']); // marker = checkpoint: the board answers

    await setMarker(cache, OBSERVATIONS - 1);
    expect(await countries()).toEqual(['JPN', 'DEU', 'FRA']);
    await cache.rankings.drop(RANKINGS_SYNC_MARKER);
    expect(await countries()).toEqual(['JPN', 'DEU', 'FRA']);
    // Read-your-writes: the checkpoint moved past the marker (a batch the boards have not been vouched for).
    await setMarker(cache, OBSERVATIONS);
    await readStore.commit([], { name: 'observations', position: OBSERVATIONS + 5 });
    expect(await countries(OBSERVATIONS + 5)).toEqual(['JPN', 'DEU', 'FRA']);
  });

  it('falls back to the read store when the board does not exist, or the cache fails', async () => {
    await setMarker(cache, OBSERVATIONS);
    const errors: unknown[] = [];
    const viaStore = createReadSide({ readStore }).executor;
    const input = { indicator: 'SP.POP.TOTL', year: 2022 };
    // Marker but no board (lost on the cache side): the read store answers.
    const noBoard = createReadSide({ readStore, cache, onCacheError: (e) => errors.push(e) }).executor;
    expect(await noBoard.execute(queries.rankings, input)).toEqual(await viaStore.execute(queries.rankings, input));

    const broken: Cache = {
      ...cache,
      rankings: {
        ...cache.rankings,
        range: async () => {
          throw new CacheUnavailableError('Redis cache unavailable: down');
        },
      },
    };
    const failing = createReadSide({ readStore, cache: broken, onCacheError: (e) => errors.push(e) }).executor;
    expect(await failing.execute(queries.rankings, input)).toEqual(await viaStore.execute(queries.rankings, input));
    expect(errors).toEqual([expect.any(CacheUnavailableError)]);
  });

  it('is off without a cache, or when turned off', async () => {
    await buildBoards(readStore, cache, OBSERVATIONS);
    await createReadSide({ readStore, cache: counted, rankingBoards: false }).executor.execute(queries.rankings, { indicator: 'SP.POP.TOTL' });
    expect(boardReads).toBe(0);
    const reader = createRankingBoardsReader(counted.rankings);
    expect(await reader.rank({ indicator: 'SP.POP.TOTL', year: 2022, order: 'desc', limit: 2 }, OBSERVATIONS)).toEqual({
      total: 4,
      entries: [
        { country: 'JPN', value: 125_100_000 },
        { country: 'DEU', value: 83_800_000 },
      ],
    });
  });
});
