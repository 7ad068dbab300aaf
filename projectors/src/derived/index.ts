import type { Cache, FindQuery, ReadStore } from '@nationpulse/ports';
import type { ProjectionDefinition } from '@nationpulse/read-models';
import type { ProjectionHooks } from '../runner/projection-manager.ts';
import { checkpointName, physicalCollection } from '../runner/naming.ts';
import type { DerivedErrorHandler, DerivedSync } from './derived-sync.ts';
import { createPermissionsSync } from './permissions-cache.ts';
import { createRankingBoardsSync } from './rankings-boards.ts';
import { combineHooks, RESPONSE_CACHED_PROJECTIONS, responseCacheHooks } from './response-cache.ts';

export { combineHooks, invalidatedPrefixes, responseCacheHooks, RESPONSE_CACHE_READERS, RESPONSE_CACHED_PROJECTIONS } from './response-cache.ts';
export { createRankingBoardsSync, rankingBoardsDerivation, syncAllRankingBoards } from './rankings-boards.ts';
export { createPermissionsSync, permissionFields, permissionsDerivation, syncAllPermissions } from './permissions-cache.ts';
export { createDerivedSync, readSyncMarker, type Derivation, type DerivedErrorHandler, type DerivedStage, type DerivedSync } from './derived-sync.ts';

export interface DerivedStructures {
  /** Per projection name, for the projection manager's `hooks`. */
  readonly hooks: Readonly<Record<string, ProjectionHooks>>;
  /**
   * The read store the projection manager must write through: it tells the syncs when a live
   * checkpoint moved (to move their markers) and before a live collection is swapped (to withdraw
   * them). The hooks alone cannot see either.
   */
  readonly readStore: ReadStore;
  /** At start, before the projections run: resyncs whatever the cache does not hold up to date. Never throws. */
  syncIfStale(): Promise<void>;
}

/**
 * The cache's structures kept beside the read models: ranking boards (observations), permission
 * hashes (users), and invalidation of the read API's cached answers (the projections it reads).
 * Only for the projections in `projections`.
 */
export const createDerivedStructures = (deps: {
  readStore: ReadStore;
  cache: Cache;
  projections: readonly ProjectionDefinition[];
  onError?: DerivedErrorHandler;
  retryAfterMs?: number;
}): DerivedStructures => {
  const { readStore, cache, projections } = deps;
  const syncOptions = { ...(deps.onError ? { onError: deps.onError } : {}), ...(deps.retryAfterMs !== undefined ? { retryAfterMs: deps.retryAfterMs } : {}) };
  const versionOf = (name: string) => projections.find((p) => p.name === name)?.version;

  const syncs: DerivedSync[] = [];
  const observations = versionOf('observations');
  if (observations !== undefined) syncs.push(createRankingBoardsSync(readStore, cache, { ...syncOptions, version: observations }));
  const users = versionOf('users');
  if (users !== undefined) syncs.push(createPermissionsSync(readStore, cache, { ...syncOptions, version: users }));

  const hooks: Record<string, ProjectionHooks> = {};
  for (const { name } of projections) {
    const parts = [...syncs.filter((s) => s.derivation.projection === name).map((s) => s.hooks), RESPONSE_CACHED_PROJECTIONS.includes(name) ? responseCacheHooks(cache.responses, name, deps.onError ? { onError: deps.onError } : {}) : undefined];
    if (parts.some((p) => p !== undefined)) hooks[name] = combineHooks(...parts);
  }

  const byCheckpoint = (checkpoint: string) => syncs.filter((s) => checkpointName(s.derivation.projection, 'live') === checkpoint);
  const byLiveCollection = (collection: string) => syncs.filter((s) => s.derivation.collections.some((c) => physicalCollection(c, 'live') === collection));

  const tracked: ReadStore = {
    async commit(writes, checkpoint) {
      await readStore.commit(writes, checkpoint);
      for (const sync of byCheckpoint(checkpoint.name)) await sync.committed(checkpoint.position);
    },
    async swapCollection(source, target) {
      for (const sync of byLiveCollection(target)) await sync.beforeSwap();
      await readStore.swapCollection(source, target);
    },
    checkpoint: (name) => readStore.checkpoint(name),
    deleteCheckpoint: (name) => readStore.deleteCheckpoint(name),
    get: <T>(collection: string, id: string) => readStore.get<T>(collection, id),
    getMany: <T>(collection: string, ids: readonly string[]) => readStore.getMany<T>(collection, ids),
    find: <T>(collection: string, query?: FindQuery) => readStore.find<T>(collection, query),
    count: (collection, where) => readStore.count(collection, where),
    sum: (collection, field, where) => readStore.sum(collection, field, where),
    ensureIndex: (collection, fields) => readStore.ensureIndex(collection, fields),
    dropCollection: (collection) => readStore.dropCollection(collection),
    listCollections: (prefix) => readStore.listCollections(prefix),
    ping: () => readStore.ping(),
    close: () => readStore.close(),
  };

  return {
    hooks,
    readStore: tracked,
    async syncIfStale() {
      for (const sync of syncs) {
        try {
          await sync.syncIfStale();
        } catch (error) {
          // Left out of sync: retried with the first batch or checkpoint move.
          deps.onError?.(error, { structure: sync.derivation.name, stage: 'sync' });
        }
      }
    },
  };
};
