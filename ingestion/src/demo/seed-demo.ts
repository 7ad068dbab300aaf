import { ingestionRunStreamId } from '@nationpulse/domain';
import { deterministicId, type Clock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { runIngestion, type IngestionProgress } from '../runs/run-ingestion.ts';
import { createDemoSource, DEMO_SEED, type DemoSourceOptions } from './demo-source.ts';

export const DEMO_SOURCE = 'demo';
export const DEMO_DATASET = 'demo';
export const DEMO_ACTOR = 'system:demo';

export interface SeedDemoDataOptions extends DemoSourceOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  /** Series written at once. Default 8. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: IngestionProgress) => void;
}

export interface SeedDemoDataResult {
  /** 'skipped' when this demo data set was seeded before (its run exists). */
  readonly status: 'seeded' | 'skipped' | 'failed';
  readonly runId: string;
  readonly seriesEvents: number;
  readonly observations: number;
  readonly reason?: string;
}

/**
 * Seeds the SYNTHETIC demo data set as one ingestion run of the demo source through the run
 * engine (source `demo`, dataset `demo`, trigger `startup`, actor `system:demo`): its run id
 * derives from the seed and range, so a second call finds the run and appends nothing, and each
 * series goes through the same series writer as every source — only changes become events.
 */
export const seedDemoData = async (options: SeedDemoDataOptions): Promise<SeedDemoDataResult> => {
  const { eventStore, clock } = options;
  const seed = options.seed ?? DEMO_SEED;
  const fromYear = options.fromYear ?? 2000;
  const toYear = options.toYear ?? 2023;
  const runId = deterministicId(`demo-run:${seed}:${fromYear}-${toYear}:${options.countries?.join(',') ?? 'all'}`);
  if ((await eventStore.streamRevision(ingestionRunStreamId(runId))) !== null) return { status: 'skipped', runId, seriesEvents: 0, observations: 0 };

  const summary = await runIngestion({
    source: createDemoSource({ ...options, seed, fromYear, toYear }),
    eventStore,
    clock,
    trigger: 'startup',
    actor: DEMO_ACTOR,
    runId,
    concurrency: options.concurrency ?? 8,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    status: summary.status === 'completed' ? 'seeded' : 'failed',
    runId,
    seriesEvents: summary.seriesEvents,
    observations: summary.rowsChanged,
    ...(summary.reason ? { reason: summary.reason } : {}),
  };
};
