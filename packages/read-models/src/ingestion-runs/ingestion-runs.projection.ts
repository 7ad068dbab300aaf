import { IngestionRunCompleted, IngestionRunFailed, IngestionRunStarted } from '@nationpulse/domain';
import { collections, type IngestionRunDoc } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { isEvent, put } from '../shared/events.ts';

const runIdOf = (event: ProjectedEvent): string | null =>
  isEvent(event, IngestionRunStarted) || isEvent(event, IngestionRunCompleted) || isEvent(event, IngestionRunFailed) ? event.data.runId : null;

/** ingestion_runs (id = runId): one ingestion run from its start to its outcome, with its counts and rejected rows. */
export const ingestionRunsProjection = defineProjection({
  name: 'ingestion-runs',
  version: 1,
  description: 'Ingestion runs: source, parameters, status, counts and rejected rows',
  eventTypes: [IngestionRunStarted.type, IngestionRunCompleted.type, IngestionRunFailed.type],
  collections: [{ name: collections.ingestionRuns, indexes: [['startedAt']] }],
  touches(event) {
    const runId = runIdOf(event);
    return runId === null ? [] : [{ collection: collections.ingestionRuns, id: runId }];
  },
  apply(event, view) {
    const at = event.metadata.occurredAt;
    if (isEvent(event, IngestionRunStarted)) {
      const { runId, source, dataset, trigger, parameters } = event.data;
      return [
        put<IngestionRunDoc>(collections.ingestionRuns, runId, {
          runId,
          source,
          dataset,
          trigger,
          actor: event.metadata.actor,
          parameters: { ...parameters },
          status: 'running',
          startedAt: at,
          finishedAt: null,
          rowsRead: null,
          rowsChanged: null,
          rowsUnchanged: null,
          rowsRejected: null,
          seriesChanged: null,
          rejected: [],
          failureReason: null,
          durationMs: null,
        }),
      ];
    }
    const runId = runIdOf(event);
    const run = runId === null ? null : view.get<IngestionRunDoc>(collections.ingestionRuns, runId);
    if (!run) return []; // an outcome without its start: nothing to attach it to
    if (isEvent(event, IngestionRunCompleted)) {
      const { rowsRead, rowsChanged, rowsUnchanged, rowsRejected, seriesChanged, rejected, durationMs } = event.data;
      return [
        put<IngestionRunDoc>(collections.ingestionRuns, run.runId, {
          ...run,
          status: 'completed',
          finishedAt: at,
          rowsRead,
          rowsChanged,
          rowsUnchanged,
          rowsRejected,
          seriesChanged,
          // `raw` is optional: leave the key out rather than store undefined
          rejected: rejected.map(({ row, reason, raw }) => (raw === undefined ? { row, reason } : { row, reason, raw })),
          durationMs,
        }),
      ];
    }
    if (isEvent(event, IngestionRunFailed)) {
      const { reason, durationMs } = event.data;
      return [put<IngestionRunDoc>(collections.ingestionRuns, run.runId, { ...run, status: 'failed', finishedAt: at, failureReason: reason, durationMs })];
    }
    return [];
  },
});
