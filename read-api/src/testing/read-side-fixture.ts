import { createSqliteReadStore } from '@nationpulse/embedded/sqlite-read-store';
import type { DocumentWrite, ReadStore } from '@nationpulse/ports';
import { collections, indicatorYearId, observationsProjection, type CountryProfileDoc, type IndicatorYearDoc, type SeriesDoc } from '@nationpulse/read-models';
import { isAggregate } from '@nationpulse/reference-data';

/** indicator -> country -> year -> value. */
export type Dataset = Record<string, Record<string, Record<number, number>>>;

/**
 * A small world: five countries in three regions, the World and the EU aggregates, three
 * indicators. Gaps on purpose: France has no 2023 population, Spain no 2022.
 */
export const dataset: Dataset = {
  'SP.POP.TOTL': {
    FRA: { 2020: 67_000_000, 2021: 67_500_000, 2022: 68_000_000 },
    DEU: { 2020: 83_000_000, 2021: 83_100_000, 2022: 83_800_000, 2023: 84_400_000 },
    ITA: { 2020: 59_400_000, 2021: 59_100_000, 2022: 58_900_000, 2023: 58_800_000 },
    ESP: { 2021: 47_400_000, 2023: 48_400_000 },
    JPN: { 2022: 125_100_000, 2023: 124_500_000 },
    WLD: { 2022: 7_950_000_000, 2023: 8_060_000_000 },
    EUU: { 2023: 448_400_000 },
  },
  'SP.POP.GROW': {
    FRA: { 2022: 0.3 },
    DEU: { 2022: 0.8, 2023: 0.7 },
    ITA: { 2022: -0.2, 2023: -0.17 },
    ESP: { 2023: 1.05 },
    JPN: { 2022: -0.5, 2023: -0.48 },
    WLD: { 2023: 0.9 },
  },
  'NY.GDP.PCAP.CD': {
    FRA: { 2021: 43_659, 2022: 40_886 },
    DEU: { 2021: 51_426, 2022: 48_718 },
    ITA: { 2021: 36_855, 2022: 34_776 },
    WLD: { 2022: 12_688 },
  },
};

/** The checkpoint each projection is seeded at: different, so X-Position shows which ones a query read. */
export const seededPositions = { 'country-profiles': 100, series: 105, observations: 103 } as const;

/** The projections' documents for a dataset, in the shapes of @nationpulse/read-models. */
export const documentsOf = (data: Dataset, position: number) => {
  const indicatorYears = new Map<string, { indicator: string; year: number; countries: Record<string, number>; aggregates: Record<string, number> }>();
  const series: DocumentWrite[] = [];
  const latest = new Map<string, Record<string, { year: number; value: number }>>();
  for (const [indicator, byCountry] of Object.entries(data)) {
    for (const [country, byYear] of Object.entries(byCountry)) {
      const points = Object.entries(byYear)
        .map(([year, value]) => ({ year: Number(year), value }))
        .sort((a, b) => a.year - b.year);
      const aggregate = isAggregate(country);
      for (const { year, value } of points) {
        const id = indicatorYearId(indicator, year);
        const values = indicatorYears.get(id) ?? { indicator, year, countries: {}, aggregates: {} };
        (aggregate ? values.aggregates : values.countries)[country] = value;
        indicatorYears.set(id, values);
      }
      const doc: SeriesDoc = { country, indicator, isAggregate: aggregate, years: points.map((p) => p.year), values: points.map((p) => p.value) };
      series.push({ op: 'put', collection: collections.series, id: `${country}:${indicator}`, doc: { ...doc }, position });
      const last = points.at(-1);
      if (last) latest.set(country, { ...latest.get(country), [indicator]: last });
    }
  }
  const observations: DocumentWrite[] = [...indicatorYears].map(([id, values]) => {
    const doc: IndicatorYearDoc = { ...values, countryCount: Object.keys(values.countries).length };
    return { op: 'put', collection: collections.indicatorYears, id, doc: { ...doc }, position };
  });
  const profiles: DocumentWrite[] = [...latest].map(([country, values]) => {
    const doc: CountryProfileDoc = { country, isAggregate: isAggregate(country), latest: values };
    return { op: 'put', collection: collections.countryProfiles, id: country, doc: { ...doc }, position };
  });
  return { observations, series, profiles };
};

/** Commits the dataset as the three projections would, each with its own checkpoint. */
export const seed = async (readStore: ReadStore, data: Dataset = dataset): Promise<void> => {
  for (const { name, indexes } of observationsProjection.collections) for (const fields of indexes) await readStore.ensureIndex(name, fields);
  await readStore.ensureIndex(collections.series, ['indicator', 'country']);
  const docs = documentsOf(data, 1);
  await readStore.commit(docs.profiles, { name: 'country-profiles', position: seededPositions['country-profiles'] });
  await readStore.commit(docs.series, { name: 'series', position: seededPositions.series });
  await readStore.commit(docs.observations, { name: 'observations', position: seededPositions.observations });
};

export const seededReadStore = async (): Promise<ReadStore> => {
  const readStore = createSqliteReadStore({ path: ':memory:' });
  await seed(readStore);
  return readStore;
};
