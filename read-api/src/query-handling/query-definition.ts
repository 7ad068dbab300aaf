import type { Position, ReadStore } from '@nationpulse/ports';
import type { z } from 'zod';
import type { RankingBoardsReader } from '../queries/rankings/ranking-boards.ts';
import type { ProjectionName } from './projections.ts';

export interface QueryDependencies {
  readonly readStore: ReadStore;
  /**
   * The position the answer will report (the lowest checkpoint of the projections read, at least
   * the caller's minPosition): a derived structure may answer only if it reflects at least this.
   */
  readonly position?: Position;
  /** The cache's rankings boards, when available; queries fall back to the read store without them. */
  readonly rankingBoards?: RankingBoardsReader;
}

/**
 * One use case of the read side, transport-agnostic: HTTP routes and gRPC methods both run it
 * through the query executor, which validates the input against `input`, waits for the
 * projections in `reads` when the caller asks for a minimum position, and reports their position.
 */
export interface QueryDefinition<TInput = unknown, TOutput = unknown> {
  readonly name: string;
  readonly input: z.ZodType<TInput>;
  /** The projections whose read models `run` reads (their checkpoints give the answer's position). */
  readonly reads: readonly ProjectionName[];
  /**
   * Which part of its read models the answer depends on (say, `USA:SP.POP.TOTL` for a series),
   * part of its response-cache key: the projectors then drop only the answers of the scopes a
   * batch changed (projectors/src/derived/response-cache.ts says which scopes a document
   * change touches; a test there checks both sides agree). Without one, any change of a
   * projection read drops all of the query's cached answers. No `|` in a scope.
   */
  readonly cacheScope?: (input: TInput) => string;
  run(input: TInput, deps: QueryDependencies): Promise<TOutput>;
}

export const defineQuery = <TInput, TOutput>(definition: QueryDefinition<TInput, TOutput>): QueryDefinition<TInput, TOutput> => definition;
