import { collections, type CountryProfileDoc } from '@nationpulse/read-models';
import { indicators } from '@nationpulse/reference-data';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, requireArea } from '../fields.ts';

export const countryProfileInput = z.object({ country: fields.country });
export type CountryProfileInput = z.infer<typeof countryProfileInput>;

export const latestValue = z.object({
  code: z.string(),
  name: z.string(),
  unit: z.string(),
  category: z.string(),
  decimals: z.number().int(),
  year: z.number().int(),
  value: z.number(),
});

export const countryProfileOutput = z.object({
  iso3: z.string(),
  iso2: z.string().nullable(),
  numeric: z.string().nullable(),
  name: z.string(),
  officialName: z.string().nullable(),
  region: z.string().nullable(),
  subregion: z.string().nullable(),
  isAggregate: z.boolean(),
  /** The latest known value of each indicator that has one, in catalogue order. */
  indicators: z.array(latestValue),
});
export type CountryProfileOutput = z.infer<typeof countryProfileOutput>;

/** A country's (or aggregate's) reference data and its latest value per indicator. */
export const countryProfileQuery = defineQuery({
  name: 'country-profile',
  input: countryProfileInput,
  reads: [projections.countryProfiles],
  cacheScope: (input) => input.country,
  async run(input, { readStore }): Promise<CountryProfileOutput> {
    const area = requireArea(input.country);
    const profile = await readStore.get<CountryProfileDoc>(collections.countryProfiles, input.country);
    const latest = profile?.doc.latest ?? {};
    const c = area.country;
    return {
      iso3: area.iso3,
      iso2: c?.iso2 ?? null,
      numeric: c?.numeric ?? null,
      name: area.name,
      officialName: c?.officialName ?? null,
      region: c?.region || null,
      subregion: c?.subregion || null,
      isAggregate: area.isAggregate,
      indicators: indicators.flatMap((i) => {
        const value = Object.hasOwn(latest, i.code) ? latest[i.code] : undefined;
        return value ? [{ code: i.code, name: i.name, unit: i.unit, category: i.category, decimals: i.decimals, year: value.year, value: value.value }] : [];
      }),
    };
  },
});
