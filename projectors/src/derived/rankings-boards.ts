import type { Cache, DocumentWrite, RankedMember, ReadStore } from '@nationpulse/ports';
import { collections, observationsProjection, type ObservationDoc } from '@nationpulse/read-models';
import { addToListing, createDerivedSync, listingMembers, replaceListing, type Derivation, type DerivedSync, type DerivedSyncOptions } from './derived-sync.ts';
import { RANKING_BOARDS_LISTING, RANKINGS_SYNC_MARKER, rankingBoard } from './keys.ts';

/** Documents read per page while rebuilding the boards. */
const PAGE = 5_000;

/** `indicator:year:country` (indicator codes hold no colon), or null for another id. */
const parseObservationId = (id: string): { indicator: string; year: number; country: string } | null => {
  const match = /^(.+):(\d+):([^:]+)$/.exec(id);
  return match ? { indicator: match[1]!, year: Number(match[2]), country: match[3]! } : null;
};

const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
};

/**
 * One sorted set per indicator and year (`rank:<indicator>:<year>`): member = country code,
 * score = value; aggregates never rank. Derived from the live `observations` collection.
 */
export const rankingBoardsDerivation = (readStore: ReadStore, cache: Cache, options: { pageSize?: number; version?: number } = {}): Derivation => {
  const { rankings } = cache;
  const pageSize = options.pageSize ?? PAGE;

  /** Replaces every board of one indicator, page by page (one board in memory at a time). */
  const rebuildIndicator = async (indicator: string, found: Set<string>) => {
    let year: number | null = null;
    let entries: RankedMember[] = [];
    const flush = async () => {
      if (year === null) return;
      const board = rankingBoard(indicator, year);
      await rankings.replace(board, entries);
      found.add(board);
    };
    for (let offset = 0; ; offset += pageSize) {
      const page = await readStore.find<ObservationDoc>(collections.observations, {
        where: { indicator, isAggregate: false },
        orderBy: [
          { field: 'year', direction: 'asc' },
          { field: 'value', direction: 'asc' },
        ],
        limit: pageSize,
        offset,
      });
      for (const { doc } of page) {
        if (doc.year !== year) {
          await flush();
          year = doc.year;
          entries = [];
        }
        entries.push({ member: doc.country, score: doc.value });
      }
      if (page.length < pageSize) break;
    }
    await flush();
  };

  return {
    name: 'rankings-boards',
    projection: observationsProjection.name,
    version: options.version ?? observationsProjection.version,
    collections: [collections.observations],
    marker: RANKINGS_SYNC_MARKER,

    async apply(writes: readonly DocumentWrite[]) {
      const upserts = new Map<string, RankedMember[]>();
      const removals = new Map<string, string[]>();
      for (const write of writes) {
        if (write.collection !== collections.observations) continue;
        if (write.op === 'put') {
          const doc = write.doc as unknown as ObservationDoc;
          if (!doc.isAggregate) push(upserts, rankingBoard(doc.indicator, doc.year), { member: doc.country, score: doc.value });
        } else {
          const ref = parseObservationId(write.id);
          if (ref) push(removals, rankingBoard(ref.indicator, ref.year), ref.country);
        }
      }
      if (upserts.size === 0 && removals.size === 0) return;
      // Listed first: a board is never written without being known to the next resync.
      if (upserts.size > 0) await addToListing(rankings, RANKING_BOARDS_LISTING, upserts.keys());
      await Promise.all([
        ...[...upserts].map(([board, entries]) => rankings.upsert(board, entries)),
        ...[...removals].map(([board, members]) => rankings.remove(board, members)),
      ]);
    },

    async rebuild() {
      const found = new Set<string>();
      // Indicator by indicator (keyset on the code: the next one is the first above it).
      let indicator: string | null = null;
      for (;;) {
        const [next]: { doc: ObservationDoc }[] = await readStore.find<ObservationDoc>(collections.observations, {
          where: { isAggregate: false, ...(indicator === null ? {} : { indicator: { gte: `${indicator}\u0000` } }) },
          orderBy: [{ field: 'indicator', direction: 'asc' }],
          limit: 1,
        });
        if (!next) break;
        indicator = next.doc.indicator;
        await rebuildIndicator(indicator, found);
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
 * Rebuilds every board from the live observations unless the sync marker shows they already
 * reflect its checkpoint; for a cold cache at start. Not while the projection runs.
 */
export const syncAllRankingBoards = (readStore: ReadStore, cache: Cache, options: { force?: boolean; pageSize?: number } = {}): Promise<'fresh' | 'synced'> =>
  createRankingBoardsSync(readStore, cache, options.pageSize ? { pageSize: options.pageSize } : {}).syncIfStale(options.force ? { force: true } : {});
