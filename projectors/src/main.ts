import { ConfigError, createLogger, parseConfig, systemClock } from '@nationpulse/platform';
import { createCache, createEventStore, createReadStore } from '@nationpulse/wiring';
import { createProjectors } from './composition.ts';
import { projectorsConfigSchema, type ProjectorsConfig } from './config.ts';
import { buildProjectorsApp } from './http/app.ts';
import { createProjectorMetrics } from './metrics.ts';
import type { ProjectionManager } from './runner/projection-manager.ts';

const main = async () => {
  let config: ProjectorsConfig;
  try {
    config = parseConfig(projectorsConfigSchema);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`projectors: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger('projectors', config.LOG_LEVEL);
  const eventStore = createEventStore(config);
  const readStore = createReadStore(config);
  // The derived structures (ranking boards, permission hashes, invalidation of cached answers) are
  // for other processes to read: only a shared cache makes them worth keeping. An in-process cache
  // here would be read by no one (the embedded platform passes its own cache to createProjectors).
  const cache = config.CACHE === 'redis' ? createCache(config) : undefined;
  let manager: ProjectionManager | null = null;
  const metrics = createProjectorMetrics(() => manager);
  manager = createProjectors({
    eventStore,
    readStore,
    clock: systemClock,
    batchSize: config.PROJECTORS_BATCH_SIZE,
    onProgress: (p) => metrics.onProgress(p),
    onError: (projection, error) => logger.error({ err: error, projection }, 'projection stopped'),
    ...(cache
      ? {
          cache,
          onDerivedError: (error: unknown, context: { structure: string; stage: string }) =>
            logger.warn({ err: error, ...context }, 'derived cache structure out of sync; readers use the read store until it is resynced'),
        }
      : {}),
  });
  await manager.start();

  const app = await buildProjectorsApp({
    manager,
    metrics: metrics.registry,
    logger,
    health: async () => {
      const checks = await Promise.allSettled([eventStore.headPosition(), readStore.ping(), cache?.ping() ?? Promise.resolve()]);
      const [es, rs, cs] = checks.map((c) => (c.status === 'fulfilled' ? 'up' : `down: ${String(c.reason)}`));
      const failed = (await manager.status()).filter((s) => s.status === 'failed').map((s) => s.name);
      // The cache is an optimisation: the read models do not wait for it, so it does not fail the check.
      return {
        ok: es === 'up' && rs === 'up' && failed.length === 0,
        details: { eventStore: es, readStore: rs, cache: cache ? cs : 'not used', failedProjections: failed },
      };
    },
  });
  await app.listen({ host: config.PROJECTORS_HOST, port: config.PROJECTORS_HTTP_PORT });

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await manager.stop();
    await Promise.all([eventStore.close(), readStore.close(), cache?.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
};

await main();
