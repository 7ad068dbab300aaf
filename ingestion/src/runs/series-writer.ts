import { seriesAggregate, seriesStreamId } from '@nationpulse/domain';
import { actorFromId, createAggregateExecutor } from '@nationpulse/event-sourcing';
import type { Clock } from '@nationpulse/platform';
import type { EventStore } from '@nationpulse/ports';

export interface RecordSeriesInput {
  readonly country: string;
  readonly indicator: string;
  readonly source: string;
  readonly runId: string;
  readonly observations: readonly { readonly year: number; readonly value: number }[];
}

export interface RecordSeriesResult {
  /** Observations that were new or different, i.e. written. */
  readonly changed: number;
  /** Position of the appended event, or null when nothing changed. */
  readonly position: number | null;
}

export interface SeriesWriterOptions {
  readonly eventStore: EventStore;
  readonly clock: Clock;
  /** metadata.actor: 'system:ingestion', or the id of the user who triggered the run. */
  readonly actor: string;
  /** metadata.source. */
  readonly source: string;
  readonly correlationId: string;
}

/**
 * Records one series' observations through the series aggregate, with the same executor as the
 * write API: load, decide RecordObservations (only new or changed years become an event),
 * validate, append with the revision read, re-decide after a lost race. The run id is the
 * idempotency key, so re-recording the same series within a run (a retried batch) appends nothing.
 */
export const createSeriesWriter = ({ eventStore, clock, actor, source, correlationId }: SeriesWriterOptions) => {
  const executor = createAggregateExecutor({ eventStore, clock, source });
  const context = { actor: actorFromId(actor, 'ingestion'), expectedRevision: null, correlationId, causationId: null, traceparent: null };
  return {
    /** `idempotencyKey` defaults to the run id; a second part of the same series in one run needs its own. */
    record: async (input: RecordSeriesInput, idempotencyKey: string = input.runId): Promise<RecordSeriesResult> => {
      const { receipt, events } = await executor.executeWithEvents({
        streamId: seriesStreamId(input.country, input.indicator),
        aggregate: seriesAggregate,
        command: { type: 'RecordObservations', ...input },
        commandName: 'RecordObservations',
        context: { ...context, idempotencyKey },
        fingerprint: input.observations,
      });
      const changed = events.reduce((n, e) => n + (e.type === 'ObservationsRecorded' ? e.data.changes.length : 0), 0);
      return { changed, position: events.length > 0 ? receipt.position : null };
    },
  };
};
export type SeriesWriter = ReturnType<typeof createSeriesWriter>;
