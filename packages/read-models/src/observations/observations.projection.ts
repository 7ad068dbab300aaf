import { ObservationCorrected, ObservationsRecorded, seriesStreamIndicator } from '@nationpulse/domain';
import { isCountry } from '@nationpulse/reference-data';
import { collections, type IndicatorYearDoc } from '../documents.ts';
import { defineProjection, type DocumentRef, type ProjectedEvent } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

export const indicatorYearId = (indicator: string, year: number): string => `${indicator}:${year}`;

/**
 * The document ref of each indicator-year, made once: an ingested event touches ~28 of them, and
 * a fresh id string per touch (hashed anew at every map lookup) and a ref object per value were a
 * large part of a rebuild's garbage. As many as the read model has documents; starts over past
 * MAX_REFS.
 */
const MAX_REFS = 100_000;
const refs = new Map<string, Map<number, DocumentRef>>();
let refCount = 0;
const refOf = (indicator: string, year: number): DocumentRef => {
  let byYear = refs.get(indicator);
  let ref = byYear?.get(year);
  if (ref) return ref;
  if (refCount >= MAX_REFS) {
    refs.clear();
    refCount = 0;
    byYear = undefined;
  }
  if (!byYear) refs.set(indicator, (byYear = new Map<number, DocumentRef>()));
  byYear.set(year, (ref = Object.freeze({ collection: collections.indicatorYears, id: indicatorYearId(indicator, year) })));
  refCount++;
  return ref;
};

/** The working copy `apply` changes in place. */
type IndicatorYearDraft = { -readonly [K in keyof IndicatorYearDoc]: K extends 'countries' | 'aggregates' ? Record<string, number> : IndicatorYearDoc[K] };

/** The values an event sets: every changed year of an ingestion, or the corrected year. */
const valuesSet = (event: ProjectedEvent): { country: string; indicator: string; values: readonly { year: number; value: number }[] } | null => {
  if (isEvent(event, ObservationsRecorded)) {
    const { country, indicator, changes } = event.data;
    return { country, indicator, values: changesByYear(changes) };
  }
  if (isEvent(event, ObservationCorrected)) {
    const { country, indicator, year, value } = event.data;
    return { country, indicator, values: [{ year, value }] };
  }
  return null;
};

/**
 * The `observations` read model (collection indicator_years, id = `${indicator}:${year}`): every
 * area's value of an indicator in a year in one document, for rankings, dashboards and the latest
 * year of an indicator. An event sets its area's value in each year it changes, in place (the
 * documents hold ~265 values; copying one per event would cost more than everything else).
 *
 * v1 kept one document per value (collection observations): ~28 writes per ingested event.
 */
export const observationsProjection = defineProjection({
  name: 'observations',
  version: 2,
  description: "Every area's value of an indicator in a year, one document per indicator and year: rankings, dashboards, latest years",
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [
    {
      name: collections.indicatorYears,
      // Latest year of an indicator (with a country's value): by indicator, then year.
      indexes: [['indicator', 'year']],
    },
  ],
  retiredCollections: ['observations'],
  // An indicator-year gathers the series of one indicator: series-{COUNTRY}-{INDICATOR} streams with the same indicator.
  partitionKey: seriesStreamIndicator,
  touches(event) {
    const set = valuesSet(event);
    return set ? set.values.map(({ year }) => refOf(set.indicator, year)) : [];
  },
  apply(event, view) {
    const set = valuesSet(event);
    if (!set) return [];
    const { country, indicator } = set;
    const aggregate = !isCountry(country);
    return set.values.map(({ year, value }) => {
      const { id } = refOf(indicator, year);
      const doc = view.edit<IndicatorYearDraft>(collections.indicatorYears, id) ?? { indicator, year, countries: {}, aggregates: {}, countryCount: 0 };
      if (aggregate) {
        doc.aggregates[country] = value;
      } else {
        if (!Object.hasOwn(doc.countries, country)) doc.countryCount++;
        doc.countries[country] = value;
      }
      return put<IndicatorYearDoc>(collections.indicatorYears, id, doc);
    });
  },
});

/**
 * The countries of an indicator-year by value in the order asked; equal values by country code
 * in the same direction (as a sorted set orders them). Aggregates never rank.
 */
export const rankingOf = (doc: IndicatorYearDoc, order: 'asc' | 'desc'): { country: string; value: number }[] => {
  const sign = order === 'asc' ? 1 : -1;
  return Object.entries(doc.countries)
    .map(([country, value]) => ({ country, value }))
    .sort((a, b) => sign * (a.value - b.value || (a.country < b.country ? -1 : a.country > b.country ? 1 : 0)));
};
