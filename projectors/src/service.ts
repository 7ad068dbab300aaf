import { createLogger, createMetricsRegistry, systemClock, type Logger, type RunningService } from '@nationpulse/platform';
import type { Cache, EventStore, ReadStore } from '@nationpulse/ports';
import { createCache, createEventStore, createReadStore } from '@nationpulse/wiring';
import { createProjectors, rebuildSharesFor } from './composition.ts';
import type { ProjectorsConfig } from './config.ts';
import { buildProjectorsApp } from './http/app.ts';
import { createProjectorMetrics } from './metrics.ts';
import type { ProjectionManager } from './runner/projection-manager.ts';

export interface ProjectorsService extends RunningService {
  readonly manager: ProjectionManager;
  readonly httpUrl: string;
}

/**
 * Starts the projectors and their ops endpoints. Stores and cache passed in are shared and left
 * open on close (the embedded platform owns them); otherwise they come from the configuration.
 */
export const startProjectorsService = async (
  config: ProjectorsConfig,
  shared: { eventStore?: EventStore; readStore?: ReadStore; cache?: Cache; logger?: Logger } = {},
): Promise<ProjectorsService> => {
  const logger = shared.logger ?? createLogger('projectors', config.LOG_LEVEL);
  const eventStore = shared.eventStore ?? (await createEventStore(config));
  const readStore = shared.readStore ?? (await createReadStore(config));
  // The derived structures (ranking boards, permission hashes, invalidation of cached answers) are
  // for other readers: worth keeping with a shared Redis, or with the embedded platform's cache,
  // which its read API reads. A private in-process cache would be read by no one.
  const cache = shared.cache ?? (config.CACHE === 'redis' ? await createCache(config) : undefined);
  // A rebuild's shares open the configured stores in their worker threads: stores passed in must be those (the embedded platform's are).
  const rebuildShares = rebuildSharesFor(config);
  let manager: ProjectionManager | null = null;
  const metrics = createProjectorMetrics(createMetricsRegistry('projectors'), () => manager);
  manager = createProjectors({
    eventStore,
    readStore,
    clock: systemClock,
    batchSize: config.PROJECTORS_BATCH_SIZE,
    commitIntervalMs: config.PROJECTORS_COMMIT_INTERVAL_MS,
    rebuildCommitIntervalMs: config.PROJECTORS_REBUILD_COMMIT_INTERVAL_MS,
    ...(rebuildShares ? { rebuildShares } : {}),
    onProgress: (p) => metrics.onProgress(p),
    onError: (projection, error) => logger.error({ err: error, projection }, 'projection failed; it restarts from its checkpoint when the read store answers'),
    ...(cache
      ? {
          cache,
          onDerivedError: (error: unknown, context: { structure: string; stage: string }) =>
            logger.warn({ err: error, ...context }, 'derived cache structure out of sync; readers use the read store until it is resynced'),
        }
      : {}),
  });
  await manager.start();
  const running = manager;

  const app = await buildProjectorsApp({
    manager: running,
    metrics: metrics.registry,
    logger,
    health: async () => {
      const checks = await Promise.allSettled([eventStore.headPosition(), readStore.ping(), cache?.ping() ?? Promise.resolve()]);
      const [es, rs, cs] = checks.map((c) => (c.status === 'fulfilled' ? 'up' : `down: ${String(c.reason)}`));
      const failed = (await running.status()).filter((s) => s.status === 'failed').map((s) => s.name);
      // The cache is an optimisation: the read models do not wait for it, so it does not fail the check.
      return {
        ok: es === 'up' && rs === 'up' && failed.length === 0,
        details: { eventStore: es, readStore: rs, cache: cache ? cs : 'not used', failedProjections: failed },
      };
    },
  });
  const httpUrl = await app.listen({ host: config.PROJECTORS_HOST, port: config.PROJECTORS_HTTP_PORT });

  return {
    manager: running,
    httpUrl,
    async close() {
      await app.close();
      await running.stop();
      await rebuildShares?.close();
      await Promise.all([
        shared.eventStore ? undefined : eventStore.close(),
        shared.readStore ? undefined : readStore.close(),
        shared.cache ? undefined : cache?.close(),
      ]);
    },
  };
};
