import { ObservationCorrected, ObservationsRecorded } from '@nationpulse/domain';
import { isCountry } from '@nationpulse/reference-data';
import { collections, type SeriesDoc } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

type Point = SeriesDoc['points'][number];

export const seriesId = (country: string, indicator: string): string => `${country}:${indicator}`;

/** The points an event sets: every changed year of an ingestion, or the corrected year. */
const pointsSet = (event: ProjectedEvent): { country: string; indicator: string; points: Point[] } | null => {
  if (isEvent(event, ObservationsRecorded)) {
    const { country, indicator, changes } = event.data;
    return { country, indicator, points: changesByYear(changes).map(({ year, value }) => ({ year, value })) };
  }
  if (isEvent(event, ObservationCorrected)) {
    const { country, indicator, year, value } = event.data;
    return { country, indicator, points: [{ year, value }] };
  }
  return null;
};

/**
 * series (id = `${country}:${indicator}`): every point of a series, one per year, sorted by year,
 * corrections applied. An event sets its points in the stored list in place.
 */
export const seriesProjection = defineProjection({
  name: 'series',
  version: 1,
  description: 'Every data series (indicator × country): its points by year, corrections applied',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [{ name: collections.series, indexes: [['indicator', 'country'], ['country']] }],
  touches(event) {
    // The series alone: its points are built once, in apply.
    if (!isEvent(event, ObservationsRecorded) && !isEvent(event, ObservationCorrected)) return [];
    return [{ collection: collections.series, id: seriesId(event.data.country, event.data.indicator) }];
  },
  apply(event, view) {
    const set = pointsSet(event);
    if (!set) return [];
    const { country, indicator, points } = set;
    const id = seriesId(country, indicator);
    const doc = view.edit<{ points: Point[] }>(collections.series, id);
    if (doc) {
      for (const point of points) setPoint(doc.points, point);
      return [put(collections.series, id, doc)];
    }
    return [put<SeriesDoc>(collections.series, id, { country, indicator, isAggregate: !isCountry(country), points })];
  },
});

/** Sets a year's point in points sorted by year, in place: most changes touch the last years, so the search starts at the end. */
const setPoint = (points: Point[], point: Point): void => {
  let i = points.length;
  while (i > 0 && points[i - 1]!.year > point.year) i--;
  if (i > 0 && points[i - 1]!.year === point.year) points[i - 1] = point;
  else points.splice(i, 0, point);
};
