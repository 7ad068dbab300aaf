import { createInProcessNotifications } from '@nationpulse/embedded/in-process-notifications';
import { gatewayConfigSchema, startGatewayService } from '@nationpulse/gateway';
import { ingestionServiceConfigSchema, seedDemoDataOnFirstStart, startIngestionService } from '@nationpulse/ingestion';
import { createLogger, parseConfig, systemClock, type HttpRoute, type RunningService } from '@nationpulse/platform';
import { projectorsConfigSchema, startProjectorsService } from '@nationpulse/projectors';
import { readApiConfigSchema, startReadApiService } from '@nationpulse/read-api';
import { reportingConfigSchema, startReportingService } from '@nationpulse/reporting';
import { createCache, createEventStore, createReadStore } from '@nationpulse/wiring';
import { startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import { z } from 'zod';
import { cooperativeEventStore, createTurns } from './cooperative.ts';

export const embeddedPlatformConfigSchema = z.object({
  ...writeApiConfigSchema.shape,
  ...projectorsConfigSchema.shape,
  ...readApiConfigSchema.shape,
  ...gatewayConfigSchema.shape,
  ...reportingConfigSchema.shape,
  ...ingestionServiceConfigSchema.shape,
});

export interface EmbeddedPlatform extends RunningService {
  readonly urls: {
    readonly gateway: string;
    readonly writeApi: string;
    readonly readApi: string;
    readonly projectors: string;
    readonly reporting: string | null;
    readonly ingestion: string;
  };
  /** The HTTP routes of the services that authenticate their callers (security tests check each one). */
  readonly routes: { readonly gateway: readonly HttpRoute[]; readonly writeApi: readonly HttpRoute[]; readonly ingestion: readonly HttpRoute[]; readonly reporting: readonly HttpRoute[] };
  /** Settles once the first start's demo data (if any) is seeded: null when none was. */
  readonly demoSeeding: Promise<unknown>;
}

/**
 * The whole platform in one process, as a new user runs it: one event store, one read store and
 * one in-process cache shared by the write API, the projectors, the read API and the gateway in
 * front of them (with its notifier on the same in-process notifications), so an append
 * wakes the projectors at once and read-your-writes waits are short. Each service is the same
 * code that runs alone in distributed mode.
 */
export const startEmbeddedPlatform = async (env: Readonly<Record<string, string | undefined>> = process.env): Promise<EmbeddedPlatform> => {
  const write = parseConfig(writeApiConfigSchema, env);
  const projectorsConfig = parseConfig(projectorsConfigSchema, env);
  const read = parseConfig(readApiConfigSchema, env);
  const gatewayConfig = parseConfig(gatewayConfigSchema, env);
  const reportingConfig = parseConfig(reportingConfigSchema, env);
  const ingestion = parseConfig(ingestionServiceConfigSchema, env);
  const eventStore = await createEventStore(write);
  const readStore = await createReadStore(read);
  const cache = await createCache(read);
  const notifications = createInProcessNotifications();
  // One event loop serves every request: background work (projectors, reports, ingestion) gives
  // it a turn every 10 ms it spends reading or appending events, so no request waits behind a
  // whole ingestion or catch-up (see cooperative.ts).
  const background = () => cooperativeEventStore(eventStore, createTurns({ budgetMs: 10 }));
  const opened: RunningService[] = [];
  try {
    // Before the first admin is appended: an empty store means a first start (demo data, below).
    const storeWasEmpty = (await eventStore.headPosition()) === 0;
    const writeApi = await startWriteApiService(write, { eventStore, logger: createLogger('write-api', write.LOG_LEVEL) });
    opened.push(writeApi);
    const projectors = await startProjectorsService(projectorsConfig, { eventStore: background(), readStore, cache, logger: createLogger('projectors', projectorsConfig.LOG_LEVEL) });
    opened.push(projectors);
    const readApi = await startReadApiService(read, { readStore, cache, logger: createLogger('read-api', read.LOG_LEVEL) });
    opened.push(readApi);
    // Reports: the embedded SQLite log as the bus, artifacts in <data dir>/reports, data read from this read API over gRPC.
    const reporting = await startReportingService(reportingConfig, {
      eventStore: background(),
      readStore,
      logger: createLogger('reporting', reportingConfig.LOG_LEVEL),
      readApiGrpcUrl: `${read.READ_API_HOST}:${readApi.grpcPort}`,
    });
    opened.push(reporting);
    const ingestionLogger = createLogger('ingestion', ingestion.LOG_LEVEL);
    const ingestionEvents = background();
    const ingestionService = await startIngestionService(ingestion, { eventStore: ingestionEvents, logger: ingestionLogger });
    opened.push(ingestionService);
    // In front of them all, on PORT (8080): the one address clients use.
    const gateway = await startGatewayService(
      { ...gatewayConfig, READ_API_URL: readApi.httpUrl, WRITE_API_URL: writeApi.httpUrl, PROJECTORS_URL: projectors.httpUrl, INGESTION_URL: ingestionService.httpUrl, ...(reporting.httpUrl ? { REPORTING_URL: reporting.httpUrl } : {}) },
      { readStore, cache, eventStore, notifications, logger: createLogger('gateway', gatewayConfig.LOG_LEVEL) },
    );
    opened.push(gateway);
    // In the background, so the APIs answer (and show the data arriving) meanwhile.
    const demoSeeding = seedDemoDataOnFirstStart({ eventStore: ingestionEvents, clock: systemClock, config: ingestion, storeWasEmpty, logger: ingestionLogger }).catch((err: unknown) => {
      ingestionLogger.error({ err }, 'demo data seeding failed');
      return null;
    });
    return {
      urls: {
        gateway: gateway.url,
        writeApi: writeApi.httpUrl,
        readApi: readApi.httpUrl,
        projectors: projectors.httpUrl,
        reporting: reporting.httpUrl,
        ingestion: ingestionService.httpUrl,
      },
      routes: { gateway: gateway.routes, writeApi: writeApi.routes, ingestion: ingestionService.routes, reporting: reporting.routes },
      demoSeeding,
      async close() {
        await demoSeeding;
        for (const service of opened.reverse()) await service.close();
        await Promise.allSettled([eventStore.close(), readStore.close(), cache.close(), notifications.close()]);
      },
    };
  } catch (e) {
    for (const service of opened.reverse()) await service.close().catch(() => undefined);
    await Promise.allSettled([eventStore.close(), readStore.close(), cache.close(), notifications.close()]);
    throw e;
  }
};
