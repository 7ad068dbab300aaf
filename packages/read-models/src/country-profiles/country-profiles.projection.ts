import { ObservationCorrected, ObservationsRecorded, seriesStreamCountry } from '@nationpulse/domain';
import { isCountry } from '@nationpulse/reference-data';
import { collections, type CountryProfileDoc } from '../documents.ts';
import { defineProjection, type ProjectedEvent } from '../projection.ts';
import { changesByYear, isEvent, put } from '../shared/events.ts';

type Latest = CountryProfileDoc['latest'][string];

/** The value an event offers as its series' latest: its newest year's. */
const offered = (event: ProjectedEvent): { country: string; indicator: string; latest: Latest } | null => {
  if (isEvent(event, ObservationsRecorded)) {
    const newest = changesByYear(event.data.changes).at(-1);
    if (!newest) return null;
    return { country: event.data.country, indicator: event.data.indicator, latest: { year: newest.year, value: newest.value } };
  }
  if (isEvent(event, ObservationCorrected)) {
    return { country: event.data.country, indicator: event.data.indicator, latest: { year: event.data.year, value: event.data.value } };
  }
  return null;
};

/**
 * country_profiles (id = ISO3): the latest year and value of every indicator of a country or
 * aggregate. A change to an older year leaves `latest` alone, one to the latest year updates its
 * value, one to a newer year replaces it (in place: a profile is rewritten by every series of its
 * country).
 */
export const countryProfilesProjection = defineProjection({
  name: 'country-profiles',
  version: 1,
  description: 'Latest value and year of every indicator, per country or aggregate',
  eventTypes: [ObservationsRecorded.type, ObservationCorrected.type],
  collections: [{ name: collections.countryProfiles, indexes: [['country']] }],
  // A profile gathers the series of one country: series-{COUNTRY}-{INDICATOR} streams with the same country.
  partitionKey: seriesStreamCountry,
  touches(event) {
    const offer = offered(event);
    return offer ? [{ collection: collections.countryProfiles, id: offer.country }] : [];
  },
  apply(event, view) {
    const offer = offered(event);
    if (!offer) return [];
    const { country, indicator, latest } = offer;
    const doc = view.edit<{ latest: Record<string, Latest> }>(collections.countryProfiles, country);
    if (!doc) return [put<CountryProfileDoc>(collections.countryProfiles, country, { country, isAggregate: !isCountry(country), latest: { [indicator]: latest } })];
    const current = Object.hasOwn(doc.latest, indicator) ? doc.latest[indicator] : undefined;
    if (current && (latest.year < current.year || (latest.year === current.year && latest.value === current.value))) return [];
    if (current) {
      doc.latest[indicator] = latest;
    } else {
      // A new indicator: keep them by code.
      const merged = { ...doc.latest, [indicator]: latest };
      doc.latest = Object.fromEntries(Object.keys(merged).sort().map((code) => [code, merged[code]!]));
    }
    return [put(collections.countryProfiles, country, doc)];
  },
});
