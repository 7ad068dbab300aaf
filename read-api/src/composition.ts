import type { Cache, ReadStore } from '@nationpulse/ports';
import { createRankingBoardsReader } from './queries/rankings/ranking-boards.ts';
import { createQueryExecutor, type QueryExecutor, type QueryExecutorOptions } from './query-handling/query-executor.ts';

/** The read side's object graph; the same for HTTP, gRPC and the embedded platform. */
export const createReadSide = (deps: {
  readStore: ReadStore;
  cache?: Cache;
  waitTimeoutMs?: number;
  responseCacheTtlMs?: number;
  waitForPosition?: QueryExecutorOptions['waitForPosition'];
  onCacheError?: (error: unknown) => void;
  /**
   * Answer rankings from the cache's boards when the projectors keep them (default true with a
   * cache). Without a sync marker from the projectors the boards are never used.
   */
  rankingBoards?: boolean;
}): { executor: QueryExecutor } => ({
  executor: createQueryExecutor({
    readStore: deps.readStore,
    ...(deps.cache ? { responseCache: deps.cache.responses } : {}),
    ...(deps.cache && deps.rankingBoards !== false
      ? { rankingBoards: createRankingBoardsReader(deps.cache.rankings, deps.onCacheError ? { onError: deps.onCacheError } : {}) }
      : {}),
    ...(deps.responseCacheTtlMs !== undefined ? { responseCacheTtlMs: deps.responseCacheTtlMs } : {}),
    ...(deps.waitTimeoutMs !== undefined ? { waitTimeoutMs: deps.waitTimeoutMs } : {}),
    ...(deps.waitForPosition ? { waitForPosition: deps.waitForPosition } : {}),
    ...(deps.onCacheError ? { onCacheError: deps.onCacheError } : {}),
  }),
});
