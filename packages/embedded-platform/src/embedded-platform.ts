import { ingestionServiceConfigSchema, seedDemoDataOnFirstStart, startIngestionService } from '@nationpulse/ingestion';
import { createLogger, parseConfig, systemClock, type RunningService } from '@nationpulse/platform';
import { projectorsConfigSchema, startProjectorsService } from '@nationpulse/projectors';
import { readApiConfigSchema, startReadApiService } from '@nationpulse/read-api';
import { createCache, createEventStore, createReadStore } from '@nationpulse/wiring';
import { startWriteApiService, writeApiConfigSchema } from '@nationpulse/write-api';
import { z } from 'zod';

export const embeddedPlatformConfigSchema = z.object({
  ...writeApiConfigSchema.shape,
  ...projectorsConfigSchema.shape,
  ...readApiConfigSchema.shape,
  ...ingestionServiceConfigSchema.shape,
});

export interface EmbeddedPlatform extends RunningService {
  readonly urls: { readonly writeApi: string; readonly readApi: string; readonly projectors: string; readonly ingestion: string };
  /** Settles once the first start's demo data (if any) is seeded: null when none was. */
  readonly demoSeeding: Promise<unknown>;
}

/**
 * The whole platform in one process, as a new user runs it: one event store, one read store and
 * one in-process cache shared by the write API, the projectors and the read API, so an append
 * wakes the projectors at once and read-your-writes waits are short. Each service is the same
 * code that runs alone in distributed mode.
 */
export const startEmbeddedPlatform = async (env: Readonly<Record<string, string | undefined>> = process.env): Promise<EmbeddedPlatform> => {
  const write = parseConfig(writeApiConfigSchema, env);
  const projectorsConfig = parseConfig(projectorsConfigSchema, env);
  const read = parseConfig(readApiConfigSchema, env);
  const ingestion = parseConfig(ingestionServiceConfigSchema, env);
  const eventStore = createEventStore(write);
  const readStore = createReadStore(read);
  const cache = createCache(read);
  const opened: RunningService[] = [];
  try {
    // Before the first admin is appended: an empty store means a first start (demo data, below).
    const storeWasEmpty = (await eventStore.headPosition()) === 0;
    const writeApi = await startWriteApiService(write, { eventStore, logger: createLogger('write-api', write.LOG_LEVEL) });
    opened.push(writeApi);
    const projectors = await startProjectorsService(projectorsConfig, { eventStore, readStore, cache, logger: createLogger('projectors', projectorsConfig.LOG_LEVEL) });
    opened.push(projectors);
    const readApi = await startReadApiService(read, { readStore, cache, logger: createLogger('read-api', read.LOG_LEVEL) });
    opened.push(readApi);
    const ingestionLogger = createLogger('ingestion', ingestion.LOG_LEVEL);
    const ingestionService = await startIngestionService(ingestion, { eventStore, logger: ingestionLogger });
    opened.push(ingestionService);
    // In the background, so the APIs answer (and show the data arriving) meanwhile.
    const demoSeeding = seedDemoDataOnFirstStart({ eventStore, clock: systemClock, config: ingestion, storeWasEmpty, logger: ingestionLogger }).catch((err: unknown) => {
      ingestionLogger.error({ err }, 'demo data seeding failed');
      return null;
    });
    return {
      urls: { writeApi: writeApi.httpUrl, readApi: readApi.httpUrl, projectors: projectors.httpUrl, ingestion: ingestionService.httpUrl },
      demoSeeding,
      async close() {
        await demoSeeding;
        for (const service of opened.reverse()) await service.close();
        await Promise.allSettled([eventStore.close(), readStore.close(), cache.close()]);
      },
    };
  } catch (e) {
    for (const service of opened.reverse()) await service.close().catch(() => undefined);
    await Promise.allSettled([eventStore.close(), readStore.close(), cache.close()]);
    throw e;
  }
};
