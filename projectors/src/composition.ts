import type { Clock } from '@nationpulse/platform';
import type { Cache, EventStore, ReadStore } from '@nationpulse/ports';
import { projections as catalogue, type ProjectionDefinition } from '@nationpulse/read-models';
import { createDerivedStructures, type DerivedErrorHandler } from './derived/index.ts';
import { createProjectionManager, type ProjectionManager } from './runner/projection-manager.ts';
import type { RunnerProgress } from './runner/projection-runner.ts';
import { createWorkerShares, type RebuildShares } from './runner/worker-shares.ts';
import type { ProjectorsConfig } from './config.ts';

/** The configured rebuild shares: worker threads opening the configured stores, or none (one runner). */
export const rebuildSharesFor = (config: ProjectorsConfig): RebuildShares | undefined =>
  config.PROJECTORS_REBUILD_SHARES > 1 ? createWorkerShares({ count: config.PROJECTORS_REBUILD_SHARES, config }) : undefined;

/**
 * The projectors' object graph; the same in the service, the CLI and the embedded platform.
 * With a `cache`, the projectors also keep the cache's derived structures (ranking boards,
 * permission hashes, invalidation of the read API's cached answers) in step with the read models,
 * resyncing them at start when the cache is cold.
 */
export const createProjectors = (deps: {
  eventStore: EventStore;
  readStore: ReadStore;
  clock: Clock;
  batchSize?: number;
  commitIntervalMs?: number;
  rebuildCommitIntervalMs?: number;
  projections?: readonly ProjectionDefinition[];
  onProgress?: (p: RunnerProgress) => void;
  onError?: (projection: string, error: unknown) => void;
  cache?: Cache;
  /** A derived structure failed (the projection goes on; the structure is resynced later). */
  onDerivedError?: DerivedErrorHandler;
  /** Where a partitioned projection's rebuild runs its shares (see `RebuildShares`); the caller closes them. */
  rebuildShares?: RebuildShares;
}): ProjectionManager => {
  const projections = deps.projections ?? catalogue;
  const derived = deps.cache
    ? createDerivedStructures({ readStore: deps.readStore, cache: deps.cache, projections, ...(deps.onDerivedError ? { onError: deps.onDerivedError } : {}) })
    : null;
  const manager = createProjectionManager({
    eventStore: deps.eventStore,
    readStore: derived?.readStore ?? deps.readStore,
    projections,
    clock: deps.clock,
    ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
    ...(deps.commitIntervalMs !== undefined ? { commitIntervalMs: deps.commitIntervalMs } : {}),
    ...(deps.rebuildCommitIntervalMs !== undefined ? { rebuildCommitIntervalMs: deps.rebuildCommitIntervalMs } : {}),
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
    ...(deps.onError ? { onError: deps.onError } : {}),
    ...(derived ? { hooks: derived.hooks } : {}),
    ...(deps.rebuildShares ? { rebuildShares: deps.rebuildShares } : {}),
  });
  if (!derived) return manager;
  return {
    async start() {
      await derived.syncIfStale();
      await manager.start();
    },
    rebuild: (name) => manager.rebuild(name),
    status: () => manager.status(),
    stop: () => manager.stop(),
  };
};
