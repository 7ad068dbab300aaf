import { ConfigError, createLogger, parseConfig, systemClock } from '@nationpulse/platform';
import { createEventStore, createReadStore } from '@nationpulse/wiring';
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
  let manager: ProjectionManager | null = null;
  const metrics = createProjectorMetrics(() => manager);
  manager = createProjectors({
    eventStore,
    readStore,
    clock: systemClock,
    batchSize: config.PROJECTORS_BATCH_SIZE,
    onProgress: (p) => metrics.onProgress(p),
    onError: (projection, error) => logger.error({ err: error, projection }, 'projection stopped'),
  });
  await manager.start();

  const app = await buildProjectorsApp({
    manager,
    metrics: metrics.registry,
    logger,
    health: async () => {
      const checks = await Promise.allSettled([eventStore.headPosition(), readStore.ping()]);
      const [es, rs] = checks.map((c) => (c.status === 'fulfilled' ? 'up' : `down: ${String(c.reason)}`));
      const failed = (await manager.status()).filter((s) => s.status === 'failed').map((s) => s.name);
      return { ok: es === 'up' && rs === 'up' && failed.length === 0, details: { eventStore: es, readStore: rs, failedProjections: failed } };
    },
  });
  await app.listen({ host: config.PROJECTORS_HOST, port: config.PROJECTORS_HTTP_PORT });

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await app.close();
    await manager.stop();
    await Promise.all([eventStore.close(), readStore.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
};

await main();
