import type { Cache, DocumentWrite, RankedMember, ReadStore } from '@nationpulse/ports';
import { collections, observationsProjection, type IndicatorYearDoc } from '@nationpulse/read-models';
import { addToListing, createDerivedSync, listingMembers, replaceListing, type Derivation, type DerivedSync, type DerivedSyncOptions } from './derived-sync.ts';
import { RANKING_BOARDS_LISTING, RANKINGS_SYNC_MARKER, rankingBoard } from './keys.ts';

/** Documents (one indicator-year each, ~265 values) read per page while rebuilding the boards. */
const PAGE = 200;

/** `indicator:year` (indicator codes hold no colon), or null for another id. */
const parseIndicatorYearId = (id: string): { indicator: string; year: number } | null => {
  const match = /^(.+):(\d+)$/.exec(id);
  return match ? { indicator: match[1]!, year: Number(match[2]) } : null;
};

const boardEntries = (doc: IndicatorYearDoc): RankedMember[] => Object.entries(doc.countries).map(([member, score]) => ({ member, score }));

/**
 * One sorted set per indicator and year (`rank:<indicator>:<year>`): member = country code,
 * score = value; aggregates never rank. Derived from the live indicator-year documents of the
 * `observations` projection, each of which holds a whole board: a write replaces its board.
 */
export const rankingBoardsDerivation = (readStore: ReadStore, cache: Cache, options: { pageSize?: number; version?: number } = {}): Derivation => {
  const { rankings } = cache;
  const pageSize = options.pageSize ?? PAGE;

  return {
    name: 'rankings-boards',
    projection: observationsProjection.name,
    version: options.version ?? observationsProjection.version,
    collections: [collections.indicatorYears],
    marker: RANKINGS_SYNC_MARKER,

    async apply(writes: readonly DocumentWrite[]) {
      const replaced = new Map<string, RankedMember[]>();
      const dropped: string[] = [];
      for (const write of writes) {
        if (write.collection !== collections.indicatorYears) continue;
        if (write.op === 'put') {
          const doc = write.doc as unknown as IndicatorYearDoc;
          replaced.set(rankingBoard(doc.indicator, doc.year), boardEntries(doc));
        } else {
          const ref = parseIndicatorYearId(write.id);
          if (ref) dropped.push(rankingBoard(ref.indicator, ref.year));
        }
      }
      if (replaced.size === 0 && dropped.length === 0) return;
      // Listed first: a board is never written without being known to the next resync.
      if (replaced.size > 0) await addToListing(rankings, RANKING_BOARDS_LISTING, replaced.keys());
      await Promise.all([...[...replaced].map(([board, entries]) => rankings.replace(board, entries)), ...dropped.map((board) => rankings.drop(board))]);
    },

    async rebuild() {
      const found = new Set<string>();
      for (let offset = 0; ; offset += pageSize) {
        const page = await readStore.find<IndicatorYearDoc>(collections.indicatorYears, { limit: pageSize, offset });
        for (const { doc } of page) {
          const board = rankingBoard(doc.indicator, doc.year);
          await rankings.replace(board, boardEntries(doc));
          found.add(board);
        }
        if (page.length < pageSize) break;
      }
      const gone = (await listingMembers(rankings, RANKING_BOARDS_LISTING)).filter((board) => !found.has(board));
      await Promise.all(gone.map((board) => rankings.drop(board)));
      await replaceListing(rankings, RANKING_BOARDS_LISTING, found);
    },
  };
};

/**
 * The ranking boards' sync: `.hooks` for the `observations` projection, `.committed` and
 * `.beforeSwap` for the read store the projection manager writes through (createDerivedStructures
 * wires all three).
 */
export const createRankingBoardsSync = (
  readStore: ReadStore,
  cache: Cache,
  options: Omit<DerivedSyncOptions, 'readStore' | 'rankings'> & { pageSize?: number; version?: number } = {},
): DerivedSync => createDerivedSync(rankingBoardsDerivation(readStore, cache, options), { ...options, readStore, rankings: cache.rankings });

/**
 * Rebuilds every board from the live indicator-year documents unless the sync marker shows they already
 * reflect its checkpoint; for a cold cache at start. Not while the projection runs.
 */
export const syncAllRankingBoards = (readStore: ReadStore, cache: Cache, options: { force?: boolean; pageSize?: number } = {}): Promise<'fresh' | 'synced'> =>
  createRankingBoardsSync(readStore, cache, options.pageSize ? { pageSize: options.pageSize } : {}).syncIfStale(options.force ? { force: true } : {});
