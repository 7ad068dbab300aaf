import { ObservationCorrected, ObservationsRecorded } from '@nationpulse/domain';
import { isCountry } from '@nationpulse/reference-data';
import { collections, type ObservationDoc } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

export const observationId = (indicator: string, year: number, country: string): string => `${indicator}:${year}:${country}`;

/** The observations an event sets: one per changed year of an ingestion, or the corrected one. */
const observationsSet = (event: ProjectedEvent): ObservationDoc[] => {
  if (isEvent(event, ObservationsRecorded)) {
    const { country, indicator, changes } = event.data;
    const isAggregate = !isCountry(country);
    return changesByYear(changes).map(({ year, value }) => ({ indicator, year, country, isAggregate, value }));
  }
  if (isEvent(event, ObservationCorrected)) {
    const { country, indicator, year, value } = event.data;
    return [{ indicator, year, country, isAggregate: !isCountry(country), value }];
  }
  return [];
};

/**
 * observations (id = `${indicator}:${year}:${country}`): one value per document, indexed for
 * rankings and dashboards (indicator, year, value) and comparisons (indicator, country, year).
 * A document's new state is the event's value alone: the stored one is never needed.
 */
export const observationsProjection = defineProjection({
  name: 'observations',
  version: 1,
  description: 'One document per observation (indicator × year × country), for rankings, dashboards and comparisons',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [
    {
      name: collections.observations,
      // Rankings, dashboards and the latest year per indicator all read by (indicator, year, value);
      // per-country reads go to the series collection instead.
      indexes: [['indicator', 'year', 'value']],
    },
  ],
  touches(event) {
    return observationsSet(event).map((o) => ({ collection: collections.observations, id: observationId(o.indicator, o.year, o.country), load: false }));
  },
  apply(event) {
    return observationsSet(event).map((o) => put<ObservationDoc>(collections.observations, observationId(o.indicator, o.year, o.country), o));
  },
});
