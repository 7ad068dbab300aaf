import type { Clock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';
import type { ingestionTriggers } from '@nationpulse/domain';
import { ingestWorldBankCsv, type IngestionSummary } from '../runs/ingest-file.ts';
import type { SourceSpec } from './source-spec.ts';

/** Progress as the service reports it, whatever the source. */
export interface RunProgress {
  readonly rowsRead: number;
  readonly rowsRejected: number;
  readonly seriesDone: number;
  /** 0-100, from the bytes (files) or items (APIs) done so far. */
  readonly percent: number;
}

export interface StartRunOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  readonly runId: string;
  readonly trigger: (typeof ingestionTriggers)[number];
  readonly actor: string;
  readonly concurrency: number;
  readonly onProgress: (progress: RunProgress) => void;
}

/**
 * The one place a service run meets the ingestion engine: a source spec in, the run's summary
 * out (its lifecycle events appended by the engine). Each kind of source dispatches here.
 */
export const executeRun = async (spec: SourceSpec, options: StartRunOptions): Promise<IngestionSummary> => {
  switch (spec.kind) {
    case 'world-bank-csv':
      return ingestWorldBankCsv({
        eventStore: options.eventStore,
        clock: options.clock,
        path: spec.path,
        ...(spec.indicator ? { indicator: spec.indicator } : {}),
        trigger: options.trigger,
        actor: options.actor,
        runId: options.runId,
        concurrency: options.concurrency,
        onProgress: (p) =>
          options.onProgress({
            rowsRead: p.rowsRead,
            rowsRejected: p.rowsRejected,
            seriesDone: p.seriesDone,
            percent: p.bytesTotal > 0 ? Math.min(100, (100 * p.bytesRead) / p.bytesTotal) : 0,
          }),
      });
  }
};
