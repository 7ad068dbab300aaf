import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry, createTokenService, registeredRoutes, systemClock, withEventStoreMetrics, type HttpRoute, type Logger, type RunningService } from '@nationpulse/platform';
import type { DatasetLock, EventStore, JobScheduler } from '@nationpulse/ports';
import { INGESTION_SERVICE_NAME, loadIngestionProto, startGrpcServer } from '@nationpulse/protos';
import { createEventStore } from '@nationpulse/wiring';
import { createTriggerAuthorizer } from './service/access.ts';
import type { SourceDeps } from './sources/source-spec.ts';
import type { IngestionServiceConfig } from './service/config.ts';
import { createIngestionGrpcService } from './service/grpc/ingestion-grpc-service.ts';
import { buildIngestionApp } from './service/http/app.ts';
import { createIngestionMetrics } from './service/metrics.ts';
import { failAbandonedRuns } from './service/abandoned-runs.ts';
import { createIngestionRunner, type IngestionRunner } from './service/ingestion-runner.ts';
import { createSchedulingAdapters, startScheduledRuns } from './service/scheduling.ts';

export interface IngestionService extends RunningService {
  readonly httpUrl: string;
  readonly grpcPort: number;
  readonly runner: IngestionRunner;
  /** Every HTTP route it answers (security tests check each one). */
  readonly routes: readonly HttpRoute[];
}

/** The token secret shared with the gateway; embedded mode reads the one the write API keeps in the data folder. */
const jwtSecretOf = (config: IngestionServiceConfig): string => {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.NATIONPULSE_DATA_DIR, 'secrets', 'jwt.key');
  if (!existsSync(file)) throw new Error(`JWT_SECRET is not set and ${file} does not exist (the write API creates it in embedded mode)`);
  return readFileSync(file, 'utf8').trim();
};

/**
 * Starts the ingestion service: the HTTP admin API and gRPC IngestionService triggering runs,
 * and the configured schedules through the JobScheduler; every run takes its dataset's lock
 * first. An event store passed in is shared and left open on close (the embedded platform owns
 * it); the scheduler, lock and source deps (fetch) may be passed in too (tests), else they come from
 * the configuration.
 */
export const startIngestionService = async (
  config: IngestionServiceConfig,
  shared: { eventStore?: EventStore; logger?: Logger; scheduler?: JobScheduler; lock?: DatasetLock; sourceDeps?: SourceDeps } = {},
): Promise<IngestionService> => {
  const logger = shared.logger ?? createLogger('ingestion', config.LOG_LEVEL);
  const registry = createMetricsRegistry('ingestion');
  const metrics = createIngestionMetrics(registry);
  const eventStore = withEventStoreMetrics(shared.eventStore ?? (await createEventStore(config)), registry);
  const clock = systemClock;
  const adapters =
    shared.scheduler && shared.lock
      ? { scheduler: shared.scheduler, lock: shared.lock }
      : await createSchedulingAdapters(config, (job, err) => logger.error({ err, jobId: job.id, schedule: job.scheduleId, attempts: job.attempt }, 'ingestion job failed its last attempt'));
  const { scheduler, lock } = adapters;
  const tokens = createTokenService({ secret: jwtSecretOf(config), issuer: config.JWT_ISSUER, accessTtlSeconds: 900, clock });
  const authorize = createTriggerAuthorizer({ tokens, eventStore, clock });
  const runner = createIngestionRunner({
    eventStore,
    lock,
    clock,
    // One object for the process: the HTTP clients, and so the APIs' rate limits, are shared by every run.
    sourceDeps: shared.sourceDeps ?? { config },
    fileRoot: config.INGESTION_FILE_ROOT,
    concurrency: config.INGESTION_CONCURRENCY,
    lockTtlMs: config.INGESTION_LOCK_TTL_MS,
    onAbandonedRuns: (runIds) => logger.warn({ runIds }, 'ended runs abandoned by a stopped process as failed'),
    onLeaseLost: (run) => logger.warn({ runId: run.runId, dataset: run.dataset }, 'dataset lease lost while the run goes on'),
    onRunFinished: (run) => {
      metrics.runFinished(run);
      logger.info({ runId: run.runId, dataset: run.dataset, trigger: run.trigger, actor: run.actor, status: run.status, reason: run.reason, summary: run.summary && { ...run.summary, rejected: undefined } }, 'ingestion run finished');
    },
  });

  const dependency = async (check: () => Promise<unknown>) => {
    try {
      await check();
      return { up: true, detail: { status: 'up' } };
    } catch (e) {
      return { up: false, detail: { status: 'down', error: e instanceof Error ? e.message : String(e) } };
    }
  };
  const opened: (() => Promise<void>)[] = [];
  try {
    // Runs a crashed process left open (their dataset lock has expired or died with it) end as failed.
    const abandoned = await failAbandonedRuns({ eventStore, lock, clock, lockTtlMs: config.INGESTION_LOCK_TTL_MS });
    if (abandoned.length > 0) logger.warn({ runIds: abandoned }, 'ended runs abandoned by a stopped process as failed');
    await startScheduledRuns({ scheduler, schedules: config.INGESTION_SCHEDULES, runner, logger });
    opened.push(() => scheduler.close());
    const app = await buildIngestionApp({
      runner,
      authorize,
      logger,
      bodyLimitBytes: config.INGESTION_BODY_LIMIT_BYTES,
      metrics: registry,
      health: async () => {
        const [store, locks] = await Promise.all([dependency(() => eventStore.headPosition()), dependency(() => lock.isHeld('health-check'))]);
        return { ok: store.up && locks.up, details: { eventStore: store.detail, lock: locks.detail } };
      },
    });
    const httpUrl = await app.listen({ host: config.INGESTION_HOST, port: config.INGESTION_HTTP_PORT });
    opened.push(() => app.close());
    const grpcServer = await startGrpcServer({
      host: config.INGESTION_HOST,
      port: config.INGESTION_GRPC_PORT,
      service: { name: INGESTION_SERVICE_NAME, definition: loadIngestionProto().ingestionService, implementation: createIngestionGrpcService({ runner, authorize, logger }) },
      health: async () => ({ eventstore: (await dependency(() => eventStore.headPosition())).up ? 'SERVING' : 'NOT_SERVING' }),
      maxReceiveMessageBytes: 64 * 1024,
      metrics: registry,
    });
    opened.push(() => grpcServer.close());
    logger.info({ http: httpUrl, grpc: grpcServer.port, scheduler: config.SCHEDULER, schedules: config.INGESTION_SCHEDULES.length }, 'ingestion listening');

    return {
      httpUrl,
      grpcPort: grpcServer.port,
      runner,
      routes: registeredRoutes(app),
      async close() {
        // No new triggers or ticks, then the runs in flight finish and release their locks.
        await Promise.all([app.close(), scheduler.close()]);
        await runner.close();
        await grpcServer.close();
        await lock.close();
        if (!shared.eventStore) await eventStore.close();
      },
    };
  } catch (e) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    await Promise.allSettled([runner.close(), scheduler.close(), lock.close(), shared.eventStore ? undefined : eventStore.close()]);
    throw e;
  }
};
