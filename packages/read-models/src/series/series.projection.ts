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

/** series (id = `${country}:${indicator}`): every point of a series, one per year, sorted by year, corrections applied. */
export const seriesProjection = defineProjection({
  name: 'series',
  version: 1,
  description: 'Every data series (indicator × country): its points by year, corrections applied',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [{ name: collections.series, indexes: [['indicator', 'country'], ['country']] }],
  touches(event) {
    const set = pointsSet(event);
    return set ? [{ collection: collections.series, id: seriesId(set.country, set.indicator) }] : [];
  },
  apply(event, view) {
    const set = pointsSet(event);
    if (!set) return [];
    const { country, indicator } = set;
    const id = seriesId(country, indicator);
    const byYear = new Map<number, Point>();
    for (const point of view.get<SeriesDoc>(collections.series, id)?.points ?? []) byYear.set(point.year, point);
    for (const point of set.points) byYear.set(point.year, point);
    const points = [...byYear.values()].sort((a, b) => a.year - b.year);
    return [put<SeriesDoc>(collections.series, id, { country, indicator, isAggregate: !isCountry(country), points })];
  },
});
