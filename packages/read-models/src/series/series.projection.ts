import { ObservationCorrected, ObservationsRecorded } from '@nationpulse/domain';
import { isCountry } from '@nationpulse/reference-data';
import { collections, type SeriesDoc, type SeriesDocV1 } from '../documents.ts';
import { defineProjection } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

export const seriesId = (country: string, indicator: string): string => `${country}:${indicator}`;

export interface SeriesPoint {
  readonly year: number;
  readonly value: number;
}

/**
 * A stored series' points in year order, whichever layout holds them: version 2's parallel arrays
 * or version 1's point objects (the live copy until a version-2 rebuild is swapped in).
 */
export const seriesPoints = (doc: SeriesDoc | SeriesDocV1): SeriesPoint[] => {
  if ('points' in doc) return [...doc.points].sort((a, b) => a.year - b.year);
  const { years, values } = doc;
  const points: SeriesPoint[] = new Array<SeriesPoint>(years.length);
  for (let i = 0; i < years.length; i++) points[i] = { year: years[i]!, value: values[i]! };
  return points;
};

/** A series document as `apply` changes it in place. */
interface EditableSeries {
  readonly country: string;
  readonly indicator: string;
  readonly isAggregate: boolean;
  years: number[];
  values: number[];
}

/**
 * series (id = `${country}:${indicator}`): every point of a series, one per year, in year order,
 * corrections applied, as parallel `years` / `values` arrays (version 2; version 1 stored an object
 * per point). An event sets its years in the stored arrays in place.
 */
export const seriesProjection = defineProjection({
  name: 'series',
  version: 2,
  // seriesPoints reads the version-1 layout too: /series and /compare keep serving during the upgrade.
  readableEarlierVersions: [1],
  description: 'Every data series (indicator × country): its values by year, corrections applied',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [{ name: collections.series, indexes: [['indicator', 'country'], ['country']] }],
  // A series document is its stream's (series-{COUNTRY}-{INDICATOR}) alone.
  partitionKey: (streamId) => streamId,
  touches(event) {
    if (!isEvent(event, ObservationsRecorded) && !isEvent(event, ObservationCorrected)) return [];
    return [{ collection: collections.series, id: seriesId(event.data.country, event.data.indicator) }];
  },
  apply(event, view) {
    if (!isEvent(event, ObservationsRecorded) && !isEvent(event, ObservationCorrected)) return [];
    const { country, indicator } = event.data;
    const id = seriesId(country, indicator);
    const doc = view.edit<EditableSeries>(collections.series, id) ?? { country, indicator, isAggregate: !isCountry(country), years: [], values: [] };
    if (isEvent(event, ObservationCorrected)) setYear(doc, event.data.year, event.data.value);
    else for (const change of changesByYear(event.data.changes)) setYear(doc, change.year, change.value);
    return [put<SeriesDoc>(collections.series, id, doc)];
  },
});

/** Sets a year's value in the year-ordered arrays, in place: most changes touch the last years, so the search starts at the end. */
const setYear = (doc: EditableSeries, year: number, value: number): void => {
  const { years, values } = doc;
  let i = years.length;
  while (i > 0 && years[i - 1]! > year) i--;
  if (i > 0 && years[i - 1] === year) {
    values[i - 1] = value;
  } else if (i === years.length) {
    years.push(year);
    values.push(value);
  } else {
    years.splice(i, 0, year);
    values.splice(i, 0, value);
  }
};
