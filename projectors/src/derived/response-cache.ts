import type { ResponseCache } from '@nationpulse/ports';
import type { ProjectionHooks } from '../runner/projection-manager.ts';
import type { DerivedErrorHandler } from './derived-sync.ts';
import { RESPONSE_CACHE_PREFIX } from './keys.ts';

/** The projections whose read models the read API's queries read, hence whose answers it caches. */
export const RESPONSE_CACHED_PROJECTIONS: readonly string[] = ['country-profiles', 'series', 'observations', 'change-log', 'ingestion-runs', 'users', 'reports'];

/**
 * Drops every answer the read API cached when a projection it reads changes (a batch, a swap).
 * Only freshness is at stake: a cached answer carries its position and is never served to a
 * caller asking for a later one, and it expires after a short TTL anyway. A failure is reported,
 * never thrown: the projection goes on.
 */
export const responseCacheHooks = (responses: ResponseCache, options: { onError?: DerivedErrorHandler } = {}): ProjectionHooks => {
  const invalidate = async () => {
    try {
      await responses.deleteByPrefix(RESPONSE_CACHE_PREFIX);
    } catch (error) {
      options.onError?.(error, { structure: 'response-cache', stage: 'apply' });
    }
  };
  return { beforeCommit: invalidate, afterSwap: invalidate };
};

/** Several hooks as one, run in the order given (each step awaited). */
export const combineHooks = (...all: readonly (ProjectionHooks | undefined)[]): ProjectionHooks => {
  const beforeCommits = all.flatMap((h) => (h?.beforeCommit ? [h.beforeCommit] : []));
  const afterSwaps = all.flatMap((h) => (h?.afterSwap ? [h.afterSwap] : []));
  return {
    ...(beforeCommits.length > 0
      ? {
          async beforeCommit(writes) {
            for (const beforeCommit of beforeCommits) await beforeCommit(writes);
          },
        }
      : {}),
    ...(afterSwaps.length > 0
      ? {
          async afterSwap() {
            for (const afterSwap of afterSwaps) await afterSwap();
          },
        }
      : {}),
  };
};
