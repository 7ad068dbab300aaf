import type { Position, Rankings } from '@nationpulse/ports';
import { RANKINGS_SYNC_MARKER, rankingBoard, SYNC_MARKER_POSITION } from '../../query-handling/cache-keys.ts';

export interface RankingQuery {
  readonly indicator: string;
  readonly year: number;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

/** One board's answer: how many countries it holds and the first `limit` of them in the order asked. */
export interface BoardRanking {
  readonly total: number;
  readonly entries: readonly { readonly country: string; readonly value: number }[];
}

/** Rankings from the cache's boards, which the projectors keep in step with the observations read model. */
export interface RankingBoardsReader {
  /**
   * The ranking from the board, or null when the boards cannot vouch for `position` (no sync
   * marker, a marker behind it, no such board, the cache failing): the caller then uses the
   * read store. Never wrong, only unavailable.
   */
  rank(query: RankingQuery, position: Position): Promise<BoardRanking | null>;
}

/**
 * Reads the boards behind a marker check. The projectors update a board before they move the
 * observations checkpoint and move the marker (member `position` of RANKINGS_SYNC_MARKER) only
 * after the checkpoint, and withdraw it before the boards stop following the read model (a
 * rebuild being swapped in, a resync); so a marker at or past the answer's position means the
 * board reflects at least every observation that position covers.
 *
 * Equal values come out ordered by country code in the direction asked (sorted-set order),
 * exactly as the read store orders them (by value, then by id `indicator:year:country`).
 */
export const createRankingBoardsReader = (rankings: Rankings, options: { onError?: (error: unknown) => void } = {}): RankingBoardsReader => ({
  async rank(query, position) {
    try {
      const marker = await rankings.range(RANKINGS_SYNC_MARKER, { order: 'asc', limit: 8 });
      const synced = marker.find((m) => m.member === SYNC_MARKER_POSITION)?.score;
      if (synced === undefined || synced < position) return null;
      const board = rankingBoard(query.indicator, query.year);
      const [total, members] = await Promise.all([rankings.size(board), rankings.range(board, { order: query.order, limit: query.limit })]);
      // No board: no data, or a board lost on the cache's side. The read store tells which.
      if (total === 0) return null;
      return { total, entries: members.map((m) => ({ country: m.member, value: m.score })) };
    } catch (error) {
      options.onError?.(error);
      return null;
    }
  },
});
