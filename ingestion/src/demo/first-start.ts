import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Clock, Logger } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import type { IngestionServiceConfig } from '../service/config.ts';
import { seedDemoData, type SeedDemoDataResult } from './seed-demo.ts';

/** Whether a configured schedule names files this machine can read now (an API's reachability is only known once its run tries it). */
export const realSourceReachable = (config: Pick<IngestionServiceConfig, 'INGESTION_SCHEDULES' | 'INGESTION_FILE_ROOT'>): boolean =>
  config.INGESTION_SCHEDULES.some(({ spec }) => (spec.kind === 'world-bank-csv' || spec.kind === 'sdmx-csv') && existsSync(resolve(config.INGESTION_FILE_ROOT, spec.path)));

/**
 * At the embedded platform's first start (an empty event store), seeds the synthetic demo data set
 * so a new user sees dashboards at once — unless NATIONPULSE_SEED_DEMO=false or a configured
 * source is reachable (real data will come from it instead).
 */
export const seedDemoDataOnFirstStart = async (deps: {
  eventStore: EventStore;
  clock: Clock;
  config: Pick<IngestionServiceConfig, 'NATIONPULSE_SEED_DEMO' | 'INGESTION_SCHEDULES' | 'INGESTION_FILE_ROOT'>;
  /** Whether the event store was empty before anything (the first admin) was appended. */
  storeWasEmpty: boolean;
  logger: Logger;
}): Promise<SeedDemoDataResult | null> => {
  const { config, logger } = deps;
  if (!deps.storeWasEmpty || !config.NATIONPULSE_SEED_DEMO) return null;
  if (realSourceReachable(config)) {
    logger.info('a configured ingestion source is reachable: no demo data seeded');
    return null;
  }
  logger.info('first start with no reachable source: seeding SYNTHETIC demo data (source "demo"; NATIONPULSE_SEED_DEMO=false to skip)');
  const result = await seedDemoData({ eventStore: deps.eventStore, clock: deps.clock });
  logger.info({ ...result }, 'demo data seeded');
  return result;
};
