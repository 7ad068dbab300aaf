import { ObservationCorrected, ObservationsRecorded } from '@nationpulse/domain';
import { collections, type ChangeLogEntry, type ChangeSetDoc, type ValueChange } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

/** `source` of a correction's entry: corrections come from a person, not a data source (filter on it to list them). */
export const CORRECTION_SOURCE = 'correction';

/** The change set an event records: every value it changed. */
const changeSetOf = (event: ProjectedEvent): ChangeSetDoc | null => {
  const { eventId, actor, occurredAt: at } = event.metadata;
  const { position } = event;
  if (isEvent(event, ObservationsRecorded)) {
    const { country, indicator, source, runId } = event.data;
    const changes = changesByYear(event.data.changes).map(({ year, value, previous }): ValueChange => [year, value, previous]);
    if (changes.length === 0) return null;
    return { country, indicator, kind: 'ingested', source, runId, reason: null, actor, at, eventId, position, changes, changeCount: changes.length };
  }
  if (isEvent(event, ObservationCorrected)) {
    const { country, indicator, year, value, previous, reason } = event.data;
    const changes: ValueChange[] = [[year, value, previous]];
    return { country, indicator, kind: 'corrected', source: CORRECTION_SOURCE, runId: null, reason, actor, at, eventId, position, changes, changeCount: 1 };
  }
  return null;
};

/** A change set's entries, one per changed value, by year: what audit queries list. */
export const changeLogEntries = (set: ChangeSetDoc): ChangeLogEntry[] => {
  const { changes: _changes, changeCount: _count, ...context } = set;
  return set.changes.map(([year, value, previous]) => ({ ...context, year, value, previous }));
};

/**
 * The change log (collection change_sets, id = eventId): every value ever changed, ingested or
 * corrected, with the value it replaced, who, when (`at`) and the event's `position`, one
 * document per event, for audit and "as of" queries (the last change per country × indicator ×
 * year at or before a time or position). A change set is immutable: its state is the event alone.
 *
 * v1 kept one document per changed value (collection change_log): ~28 writes per ingested event.
 */
export const changeLogProjection = defineProjection({
  name: 'change-log',
  version: 2,
  description: 'Every changed value, ingested or corrected, with the value it replaced, one change set per event: audit and "as of" queries',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [
    {
      name: collections.changeSets,
      // A series' history (and a country's, for "as of"), a run's changes by position, and time
      // windows newest first (source and actor filter within a window).
      indexes: [['country', 'indicator'], ['runId', 'position'], ['at', 'position']],
    },
  ],
  retiredCollections: ['change_log'],
  // A change set is its event's alone.
  partitionKey: (streamId) => streamId,
  touches(event) {
    // The change set's id alone: its changes are built once, in apply.
    if (isEvent(event, ObservationsRecorded) ? event.data.changes.length === 0 : !isEvent(event, ObservationCorrected)) return [];
    return [{ collection: collections.changeSets, id: event.metadata.eventId, load: false }];
  },
  apply(event) {
    const set = changeSetOf(event);
    return set ? [put<ChangeSetDoc>(collections.changeSets, set.eventId, set)] : [];
  },
});
