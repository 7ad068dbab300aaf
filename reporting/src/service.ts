import { join } from 'node:path';
import { createLocalArtifactStore } from '@nationpulse/embedded/local-artifact-store';
import { createSqliteMessageBus } from '@nationpulse/embedded/sqlite-message-bus';
import { createAggregateExecutor } from '@nationpulse/event-sourcing';
import { createLogger, createTokenService, registeredRoutes, systemClock, type Clock, type HttpRoute, type Logger, type RunningService } from '@nationpulse/platform';
import type { ArtifactStore, EventStore, MessageBus, ReadStore } from '@nationpulse/ports';
import { createQueryCaller } from '@nationpulse/protos';
import { createEventStore, createReadStore } from '@nationpulse/wiring';
import { jwtSecret } from '@nationpulse/write-api';
import type { ReportingConfig } from './config.ts';
import { buildReportingApp } from './http/app.ts';
import { createReportAccess } from './http/report-view.ts';
import { createReportingMetrics } from './metrics.ts';
import { createOutboxRelay } from './relay/outbox-relay.ts';
import { createReportSaga, SAGA_GROUP } from './saga/report-saga.ts';
import { createGrpcReportData } from './worker/report-data.ts';
import { artifactKey, createReportWorker, WORKER_GROUP } from './worker/report-worker.ts';

export interface ReportingService extends RunningService {
  /** The HTTP base URL when this process runs the http role. */
  readonly httpUrl: string | null;
  /** Every HTTP route it answers, none without the http role (security tests check each one). */
  readonly routes: readonly HttpRoute[];
}

export interface ReportingShared {
  readonly eventStore?: EventStore;
  readonly readStore?: ReadStore;
  readonly bus?: MessageBus;
  readonly artifacts?: ArtifactStore;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The read API's gRPC address when it is only known at run time (the embedded platform). */
  readonly readApiGrpcUrl?: string;
}

/** Kafka's and MongoDB's drivers are imported only when the configuration picks them. */
export const createMessageBus = async (config: ReportingConfig, logger: Logger): Promise<MessageBus> =>
  config.MESSAGE_BUS === 'kafka'
    ? (await import('@nationpulse/kafka')).createKafkaMessageBus({
        brokers: config.KAFKA_BROKERS!.split(','),
        clientId: config.KAFKA_CLIENT_ID,
        connectionTimeoutMs: config.KAFKA_CONNECTION_TIMEOUT_MS,
        requestTimeoutMs: config.KAFKA_REQUEST_TIMEOUT_MS,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        log: (level, message, extra) => logger[level](extra, message),
      })
    : createSqliteMessageBus({ path: join(config.NATIONPULSE_DATA_DIR, 'bus.db') });

export const createArtifactStore = async (config: ReportingConfig): Promise<ArtifactStore> =>
  config.ARTIFACT_STORE === 'gridfs'
    ? (await import('@nationpulse/mongodb/gridfs-artifact-store')).createGridFsArtifactStore({ url: config.MONGO_URL!, database: config.MONGO_DATABASE, bucket: config.ARTIFACTS_BUCKET })
    : createLocalArtifactStore({ root: config.ARTIFACTS_DIR ?? join(config.NATIONPULSE_DATA_DIR, 'reports') });

/**
 * Starts the roles of the reporting service this process runs: the outbox relay (event store →
 * reports.commands), workers (reports.commands → artifact + reports.events), the saga
 * (reports.events → report stream, timeouts) and the HTTP side (status, download, metrics).
 * Whatever is passed in `shared` is left open on close; the rest comes from the configuration.
 */
export const startReportingService = async (config: ReportingConfig, shared: ReportingShared = {}): Promise<ReportingService> => {
  const logger = shared.logger ?? createLogger('reporting', config.LOG_LEVEL);
  const clock = shared.clock ?? systemClock;
  const roles = new Set(config.REPORTING_ROLES);
  const owned: { close(): Promise<void> | void }[] = [];
  const own = <T extends { close(): Promise<void> | void }>(resource: T, isShared: boolean): T => {
    if (!isShared) owned.push(resource);
    return resource;
  };
  const eventStore = shared.eventStore ?? own(await createEventStore(config), false);
  const bus = shared.bus ?? own(await createMessageBus(config, logger), false);
  const topics = { commands: config.REPORT_COMMANDS_TOPIC, events: config.REPORT_EVENTS_TOPIC, dlq: config.REPORT_DLQ_TOPIC };
  // Both groups' lag, read from the bus at each scrape: it is the group's, whichever process runs
  // its members (workers scaled alone with REPORTING_ROLES=worker serve no /metrics).
  const groups = [
    { group: config.REPORTING_GROUP_PREFIX + WORKER_GROUP, topics: [topics.commands] },
    { group: config.REPORTING_GROUP_PREFIX + SAGA_GROUP, topics: [topics.events] },
  ];
  const metrics = createReportingMetrics({
    consumerLag: async () => (await Promise.all(groups.map(async ({ group, topics: t }) => (await bus.consumerLag(group, t)).map((l) => ({ ...l, group }))))).flat(),
  });
  const stops: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.warn({ err }, 'reporting: a role did not stop cleanly'));
    for (const r of owned.reverse()) await Promise.resolve(r.close()).catch(() => undefined);
  };

  try {
    await bus.ensureTopics([topics.commands, topics.events, topics.dlq].map((name) => ({ name, partitions: config.REPORT_TOPIC_PARTITIONS })));
    const needsArtifacts = roles.has('worker') || roles.has('http');
    const artifacts = needsArtifacts ? (shared.artifacts ?? own(await createArtifactStore(config), false)) : null;

    if (roles.has('relay')) {
      const checkpoints = shared.readStore ?? own(await createReadStore(config), false);
      const relay = createOutboxRelay({ eventStore, bus, checkpoints, commandsTopic: topics.commands, logger, metrics });
      relay.start();
      stops.push(() => relay.stop());
    }
    if (roles.has('worker')) {
      const queries = createQueryCaller(shared.readApiGrpcUrl ?? config.READ_API_GRPC_URL, { deadlineMs: config.READ_API_DEADLINE_MS });
      owned.push(queries);
      const worker = createReportWorker({ bus, artifacts: artifacts!, data: createGrpcReportData(queries), topics, clock, logger, metrics, groupId: config.REPORTING_GROUP_PREFIX + WORKER_GROUP, retryDelayMs: config.REPORT_WORKER_RETRY_MS });
      await worker.start();
      stops.push(() => worker.stop());
    }
    if (roles.has('saga')) {
      const executor = createAggregateExecutor({ eventStore, clock, source: 'reporting' });
      const saga = createReportSaga({ eventStore, executor, bus, topics, timeoutMs: config.REPORT_TIMEOUT_MS, maxAttempts: config.REPORT_MAX_ATTEMPTS, clock, logger, metrics, groupId: config.REPORTING_GROUP_PREFIX + SAGA_GROUP });
      await saga.start();
      stops.push(() => saga.stop());
    }
    let httpUrl: string | null = null;
    let routes: readonly HttpRoute[] = [];
    if (roles.has('http')) {
      const tokens = createTokenService({ secret: jwtSecret(config), issuer: config.JWT_ISSUER, accessTtlSeconds: 900, clock });
      const app = await buildReportingApp({
        eventStore,
        artifacts: artifacts!,
        access: createReportAccess(tokens, eventStore),
        artifactKey: (reportId, attempt, format) => artifactKey({ reportId, attempt, format: format as 'csv' | 'xlsx' }),
        registry: metrics.registry,
        logger,
        health: async () => {
          const check = async (probe: () => Promise<unknown>) => {
            try {
              await probe();
              return { status: 'up' };
            } catch (e) {
              return { status: 'down', error: e instanceof Error ? e.message : String(e) };
            }
          };
          const [store, messageBus] = await Promise.all([check(() => eventStore.headPosition()), check(() => bus.ping())]);
          return { ok: store.status === 'up' && messageBus.status === 'up', details: { eventStore: store, messageBus } };
        },
      });
      httpUrl = await app.listen({ host: config.REPORTING_HOST, port: config.REPORTING_HTTP_PORT });
      routes = registeredRoutes(app);
      stops.push(() => app.close());
    }
    logger.info({ roles: [...roles], bus: config.MESSAGE_BUS, artifacts: config.ARTIFACT_STORE, http: httpUrl }, 'reporting started');
    return { httpUrl, routes, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
};
