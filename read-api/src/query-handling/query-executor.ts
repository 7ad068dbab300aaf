import { validationError } from '@nationpulse/domain';
import type { Position, ReadStore, ResponseCache } from '@nationpulse/ports';
import { PROJECTION_STATE_COLLECTION, projections, type ProjectionStateDoc } from '@nationpulse/read-models';
import { z } from 'zod';
import type { RankingBoardsReader } from '../queries/rankings/ranking-boards.ts';
import { RESPONSE_CACHE_PREFIX, responseScope } from './cache-keys.ts';
import { positionNotReached, projectionRebuilding } from './errors.ts';
import type { QueryDefinition } from './query-definition.ts';
import { pollingWaitForPosition, type WaitForPosition } from './wait-for-position.ts';

export interface QueryExecutorOptions {
  readonly readStore: ReadStore;
  /** How a query waits for a checkpoint to reach the caller's minPosition. Default: polling the read store. */
  readonly waitForPosition?: WaitForPosition;
  /** How long a query waits for its projections in all before answering POSITION_NOT_REACHED. Default 2 s. */
  readonly waitTimeoutMs?: number;
  /** Hot answers by query and input, for `responseCacheTtlMs` (0 or no cache: off). */
  readonly responseCache?: ResponseCache;
  readonly responseCacheTtlMs?: number;
  /** Told when the response cache fails; the query then runs against the read store as usual. */
  readonly onCacheError?: (error: unknown) => void;
  /** The cache's rankings boards, when the projectors keep them: rankings answered without the read store. */
  readonly rankingBoards?: RankingBoardsReader;
  /**
   * The version of each read model this code reads, and any earlier versions it also reads
   * (default: the read-models package's projections, with their `readableEarlierVersions`).
   */
  readonly projectionVersions?: Readonly<Record<string, { readonly current: number; readonly alsoReads?: readonly number[] }>>;
}

export interface QueryOptions {
  /** Read-your-writes: answer only from read models whose checkpoints reached this position. */
  readonly minPosition?: Position;
}

export interface QueryAnswer<T> {
  readonly result: T;
  /** The lowest checkpoint among the projections the query read: the answer reflects every event up to it. */
  readonly position: Position;
}

export interface QueryExecutor {
  execute<TInput, TOutput>(query: QueryDefinition<TInput, TOutput>, input: unknown, options?: QueryOptions): Promise<QueryAnswer<TOutput>>;
}

export const positionSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Built once, not per query (a schema made per call showed in the CPU profile under load). */
const optionalPosition = positionSchema.optional();

const issuesOf = (error: z.ZodError) => error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** JSON with object keys sorted and undefined left out: the same input always gives the same cache key. */
const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

interface CachedAnswer {
  readonly position: Position;
  readonly result: unknown;
}

export { RESPONSE_CACHE_PREFIX };

/** The response-cache key of a query's answer to a (validated) input: its scope's prefix, then the canonical input. */
export const responseCacheKey = <TInput>(query: Pick<QueryDefinition<TInput>, 'name' | 'cacheScope'>, input: TInput): string =>
  `${responseScope(query.name, query.cacheScope?.(input) ?? '')}${canonicalJson(input)}`;

/**
 * Runs queries for every transport: validates the input (VALIDATION_FAILED with field-level
 * details), honours `minPosition` by waiting on each projection the query reads (503
 * POSITION_NOT_REACHED past the timeout), runs the query and reports the position it reflects.
 *
 * The position is the minimum of the checkpoints read *before* the query: checkpoints only move
 * forward and a projection commits documents no later than its checkpoint, so the documents read
 * afterwards reflect at least that position.
 *
 * With a response cache, an answer is kept for a short TTL under the query name, its scope and
 * canonical input (`responseCacheKey`), with its position; a cached answer is served only when its position satisfies the
 * caller's minPosition, so read-your-writes holds whatever the TTL.
 *
 * A query whose read model's live copy is of another version than this code reads (recorded by
 * the projector: an upgrade freezes the old copy while the new layout is rebuilt) answers 503
 * PROJECTION_REBUILDING rather than an empty or misread answer.
 */
export const createQueryExecutor = (options: QueryExecutorOptions): QueryExecutor => {
  const { readStore, waitTimeoutMs = 2_000, responseCache, responseCacheTtlMs = 0, onCacheError, rankingBoards } = options;
  const waitForPosition = options.waitForPosition ?? pollingWaitForPosition(readStore);
  const cache = responseCache && responseCacheTtlMs > 0 ? responseCache : undefined;
  const expectedVersions =
    options.projectionVersions ?? Object.fromEntries(projections.map((p) => [p.name, { current: p.version, alsoReads: p.readableEarlierVersions ?? [] }]));

  /** Throws PROJECTION_REBUILDING when a read model's live copy is not of the version this code reads. */
  const servedVersionsMatch = async (names: readonly string[]): Promise<void> => {
    const states = await Promise.all(names.map((name) => readStore.get<ProjectionStateDoc>(PROJECTION_STATE_COLLECTION, name)));
    for (const [i, name] of names.entries()) {
      const servedVersion = states[i]?.doc.version;
      const expected = expectedVersions[name];
      // No record: the projector has not started yet (nothing to misread).
      if (servedVersion === undefined || expected === undefined || servedVersion === expected.current || expected.alsoReads?.includes(servedVersion)) continue;
      throw projectionRebuilding({ projection: name, servedVersion, expectedVersion: expected.current });
    }
  };

  const cached = async (key: string, minPosition: Position): Promise<CachedAnswer | null> => {
    if (!cache) return null;
    try {
      const raw = await cache.get(key);
      if (raw === null) return null;
      const answer = JSON.parse(raw) as CachedAnswer;
      return typeof answer.position === 'number' && answer.position >= minPosition ? answer : null;
    } catch (error) {
      onCacheError?.(error);
      return null;
    }
  };

  const remember = async (key: string, answer: CachedAnswer): Promise<void> => {
    if (!cache) return;
    try {
      await cache.set(key, JSON.stringify(answer), responseCacheTtlMs);
    } catch (error) {
      onCacheError?.(error);
    }
  };

  /** Each projection's checkpoint, once every one has reached minPosition (or 503). */
  const positionsAtLeast = async (names: readonly string[], minPosition: Position): Promise<Position> => {
    const started = Date.now();
    const checkpoints = await Promise.all(names.map((name) => readStore.checkpoint(name)));
    for (const [i, name] of names.entries()) {
      const current = checkpoints[i] ?? null;
      if (minPosition === 0 || (current !== null && current >= minPosition)) continue;
      const remaining = waitTimeoutMs - (Date.now() - started);
      const reached = remaining > 0 ? await waitForPosition(name, minPosition, remaining) : current;
      if (reached === null || reached < minPosition) {
        throw positionNotReached({ projection: name, minPosition, position: reached, waitedMs: Date.now() - started });
      }
      checkpoints[i] = reached;
    }
    return checkpoints.length === 0 ? 0 : Math.min(...checkpoints.map((c) => c ?? 0));
  };

  return {
    async execute<TInput, TOutput>(query: QueryDefinition<TInput, TOutput>, rawInput: unknown, queryOptions: QueryOptions = {}) {
      const parsed = query.input.safeParse(rawInput);
      if (!parsed.success) throw validationError(`Invalid ${query.name} query`, issuesOf(parsed.error));
      const min = optionalPosition.safeParse(queryOptions.minPosition);
      if (!min.success) throw validationError(`Invalid ${query.name} query`, issuesOf(min.error).map((i) => ({ ...i, path: 'minPosition' })));
      const minPosition = min.data ?? 0;
      const input = parsed.data;

      const key = responseCacheKey(query, input);
      const hit = await cached(key, minPosition);
      if (hit) return { result: hit.result as TOutput, position: hit.position };

      const [position] = await Promise.all([positionsAtLeast(query.reads, minPosition), servedVersionsMatch(query.reads)]);
      const result = await query.run(input, { readStore, position, ...(rankingBoards ? { rankingBoards } : {}) });
      await remember(key, { position, result });
      return { result, position };
    },
  };
};
