import type { ingestionTriggers } from '@nationpulse/domain';
import type { Clock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import { runIngestion, type IngestionProgress, type IngestionSummary } from '../runs/run-ingestion.ts';
import { LOCK_PARAMETER } from './abandoned-runs.ts';
import { createSource, type SourceDeps, type SourceSpec } from '../sources/source-spec.ts';

/** Progress as the service reports it (HTTP GET, gRPC stream), whatever the source. */
export interface RunProgress {
  readonly rowsRead: number;
  readonly rowsRejected: number;
  readonly seriesDone: number;
  /** 0-100, from the source's own measure: bytes of files, rows or requests of an API; 0 while its total is unknown. */
  readonly percent: number;
}

export interface StartRunOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  /** Shared by every run of the process, so the APIs' rate limits hold across runs. */
  readonly sourceDeps: SourceDeps;
  readonly runId: string;
  readonly trigger: (typeof ingestionTriggers)[number];
  readonly actor: string;
  readonly concurrency: number;
  readonly onProgress: (progress: RunProgress) => void;
  /** The dataset lock the run holds, recorded in its start event so that a run its process abandoned can be recognised. */
  readonly lockKey?: string;
}

export const percentOf = (p: Pick<IngestionProgress, 'done' | 'total'>): number => (p.total !== null && p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : 0);

/**
 * The one place a service run meets the ingestion engine: the spec's source (`createSource`)
 * through `runIngestion`, which appends the run's lifecycle events; the summary out. Any kind
 * the spec schema knows runs here, whoever triggered it (HTTP, gRPC, a schedule).
 */
export const executeRun = async (spec: SourceSpec, options: StartRunOptions): Promise<IngestionSummary> =>
  runIngestion({
    source: createSource(spec, options.sourceDeps),
    eventStore: options.eventStore,
    clock: options.clock,
    trigger: options.trigger,
    actor: options.actor,
    runId: options.runId,
    concurrency: options.concurrency,
    ...(options.lockKey ? { parameters: { [LOCK_PARAMETER]: options.lockKey } } : {}),
    onProgress: (p) => options.onProgress({ rowsRead: p.rowsRead, rowsRejected: p.rowsRejected, seriesDone: p.seriesDone, percent: percentOf(p) }),
  });
