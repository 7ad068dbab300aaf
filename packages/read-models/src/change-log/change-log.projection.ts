import { ObservationCorrected, ObservationsRecorded } from '@nationpulse/domain';
import { collections, type ChangeLogDoc } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

/** `source` of a correction's entry: corrections come from a person, not a data source (filter on it to list them). */
export const CORRECTION_SOURCE = 'correction';

export const changeLogId = (eventId: string, year: number): string => `${eventId}:${year}`;

/** The entries an event adds: one per value it changed. */
const entries = (event: ProjectedEvent): ChangeLogDoc[] => {
  const { eventId, actor, occurredAt: at } = event.metadata;
  const { position } = event;
  if (isEvent(event, ObservationsRecorded)) {
    const { country, indicator, source, runId, changes } = event.data;
    return changesByYear(changes).map(({ year, value, previous }) => ({
      country,
      indicator,
      year,
      value,
      previous,
      kind: 'ingested',
      source,
      runId,
      reason: null,
      actor,
      at,
      eventId,
      position,
    }));
  }
  if (isEvent(event, ObservationCorrected)) {
    const { country, indicator, year, value, previous, reason } = event.data;
    return [
      { country, indicator, year, value, previous, kind: 'corrected', source: CORRECTION_SOURCE, runId: null, reason, actor, at, eventId, position },
    ];
  }
  return [];
};

/**
 * change_log (id = `${eventId}:${year}`): every value ever changed, ingested or corrected, with
 * the value it replaced, who, when (`at`) and the event's `position`, for audit and "as of"
 * queries (the last entry per country × indicator × year at or before a time or position).
 * Entries are immutable: a document's state is the event alone.
 */
export const changeLogProjection = defineProjection({
  name: 'change-log',
  version: 1,
  description: 'Every changed value, ingested or corrected, with the value it replaced: audit and "as of" queries',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [
    {
      name: collections.changeLog,
      // Value history, a run's changes, and time windows (source and actor filter within a window):
      // every index costs ingestion throughput, so only these three.
      indexes: [['country', 'indicator', 'year'], ['runId'], ['at']],
    },
  ],
  touches(event) {
    return entries(event).map((e) => ({ collection: collections.changeLog, id: changeLogId(e.eventId, e.year), load: false }));
  },
  apply(event) {
    return entries(event).map((e) => put<ChangeLogDoc>(collections.changeLog, changeLogId(e.eventId, e.year), e));
  },
});
