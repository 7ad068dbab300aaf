import {
  decideIngestionRun,
  evolveIngestionRun,
  ingestionRunStreamId,
  initialIngestionRunState,
  type IngestionRunCommand,
} from '@nationpulse/domain';
import { createAggregateExecutor, type CommandContext } from '@nationpulse/event-sourcing';
import { deterministicId, type Clock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { createSeriesWriter } from '../runs/series-writer.ts';
import { DEMO_SEED, demoSource, type DemoSourceOptions, type SeriesBatch } from './demo-source.ts';

export const DEMO_SOURCE = 'demo';
export const DEMO_DATASET = 'demo';
export const DEMO_ACTOR = 'system:demo';

export interface SeedDemoDataOptions extends DemoSourceOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  /** Series written at once. Default 8. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: { readonly series: number; readonly observations: number }) => void;
}

export interface SeedDemoDataResult {
  /** 'skipped' when this demo data set was seeded before (its run exists). */
  readonly status: 'seeded' | 'skipped' | 'failed';
  readonly runId: string;
  readonly seriesEvents: number;
  readonly observations: number;
  readonly reason?: string;
}

const ingestionRunAggregate = { initial: initialIngestionRunState, evolve: evolveIngestionRun, decide: decideIngestionRun };

/**
 * Seeds the SYNTHETIC demo data set as one ingestion run (source `demo`, dataset `demo`, trigger
 * `startup`): its run id derives from the seed, so a second call finds the run and appends
 * nothing, and each series goes through the same series writer as every source — only changes
 * become events.
 */
export const seedDemoData = async (options: SeedDemoDataOptions): Promise<SeedDemoDataResult> => {
  const { eventStore, clock } = options;
  const seed = options.seed ?? DEMO_SEED;
  const fromYear = options.fromYear ?? 2000;
  const toYear = options.toYear ?? 2023;
  const runId = deterministicId(`demo-run:${seed}:${fromYear}-${toYear}:${options.countries?.join(',') ?? 'all'}`);
  const runStream = ingestionRunStreamId(runId);
  if ((await eventStore.streamRevision(runStream)) !== null) return { status: 'skipped', runId, seriesEvents: 0, observations: 0 };

  const started = clock.now().getTime();
  const executor = createAggregateExecutor({ eventStore, clock, source: 'ingestion' });
  const context: CommandContext = { actor: { kind: 'system', name: 'demo' }, idempotencyKey: null, expectedRevision: null, correlationId: runId, causationId: null, traceparent: null };
  const run = (command: IngestionRunCommand) =>
    executor.execute({ streamId: runStream, aggregate: ingestionRunAggregate, command, commandName: command.type, context, fingerprint: command });
  await run({
    type: 'StartIngestionRun',
    runId,
    source: DEMO_SOURCE,
    dataset: DEMO_DATASET,
    trigger: 'startup',
    parameters: { synthetic: true, generator: 'nationpulse demo source', seed, years: `${fromYear}-${toYear}` },
  });

  const writer = createSeriesWriter({ eventStore, clock, actor: DEMO_ACTOR, source: DEMO_SOURCE, correlationId: runId });
  const concurrency = Math.max(1, options.concurrency ?? 8);
  let rows = 0;
  let changed = 0;
  let seriesEvents = 0;
  let series = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | null = null;
  const record = (batch: SeriesBatch) => {
    const task: Promise<void> = writer
      .record({ ...batch, source: DEMO_SOURCE, runId })
      .then(
        (result) => {
          changed += result.changed;
          if (result.changed > 0) seriesEvents++;
          options.onProgress?.({ series: ++series, observations: rows });
        },
        (error: unknown) => void (failure ??= { error }),
      )
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  try {
    for await (const batch of demoSource({ ...options, seed, fromYear, toYear })) {
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) throw (failure as { error: unknown }).error;
      rows += batch.observations.length;
      record(batch);
    }
    await Promise.all(inFlight);
    if (failure) throw (failure as { error: unknown }).error;
    await run({ type: 'CompleteIngestionRun', runId, rowsRead: rows, rowsChanged: changed, rowsUnchanged: rows - changed, rowsRejected: 0, seriesChanged: seriesEvents, rejected: [], durationMs: clock.now().getTime() - started });
    return { status: 'seeded', runId, seriesEvents, observations: changed };
  } catch (e) {
    await Promise.allSettled(inFlight);
    const reason = (e instanceof Error ? e.message : String(e)) || 'unknown error';
    await run({ type: 'FailIngestionRun', runId, reason, durationMs: clock.now().getTime() - started });
    return { status: 'failed', runId, seriesEvents, observations: changed, reason };
  }
};
