import { collections, type CountryProfileDoc } from '@nationpulse/read-models';
import { aggregates, countries } from '@nationpulse/reference-data';
import { z } from 'zod';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { projections } from '../../query-handling/projections.ts';
import { fields } from '../fields.ts';

const regionNames = [...new Set(countries.map((c) => c.region).filter(Boolean))].sort();

export const listCountriesInput = z.object({
  /** Aggregates (World, income groups, …) are listed after the countries only when asked for. */
  includeAggregates: z.boolean().default(false),
  /** A region, case-insensitive: Africa, Americas, Antarctic, Asia, Europe or Oceania. */
  region: z
    .string()
    .transform((r) => regionNames.find((n) => n.toLowerCase() === r.toLowerCase()) ?? r)
    .pipe(z.enum(regionNames as [string, ...string[]]))
    .optional(),
  limit: fields.limit.default(300),
  offset: fields.offset.default(0),
});
export type ListCountriesInput = z.infer<typeof listCountriesInput>;

export const countrySummary = z.object({
  iso3: z.string(),
  iso2: z.string().nullable(),
  name: z.string(),
  region: z.string().nullable(),
  subregion: z.string().nullable(),
  isAggregate: z.boolean(),
  /** Whether the read model holds at least one value for it. */
  hasData: z.boolean(),
});

export const listCountriesOutput = z.object({
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
  countries: z.array(countrySummary),
});
export type ListCountriesOutput = z.infer<typeof listCountriesOutput>;

type Summary = Omit<z.infer<typeof countrySummary>, 'hasData'>;

const countryRows: readonly Summary[] = countries.map((c) => ({
  iso3: c.iso3,
  iso2: c.iso2,
  name: c.name,
  region: c.region || null,
  subregion: c.subregion || null,
  isAggregate: false,
}));
const aggregateRows: readonly Summary[] = aggregates.map((a) => ({ iso3: a.code, iso2: null, name: a.name, region: null, subregion: null, isAggregate: true }));

/** Countries (by name) from reference data, aggregates after them on request, each with whether data exists. */
export const listCountriesQuery = defineQuery({
  name: 'list-countries',
  input: listCountriesInput,
  reads: [projections.countryProfiles],
  async run(input, { readStore }): Promise<ListCountriesOutput> {
    const all = [...countryRows, ...(input.includeAggregates && !input.region ? aggregateRows : [])].filter(
      (c) => !input.region || c.region === input.region,
    );
    const page = all.slice(input.offset, input.offset + input.limit);
    const withData =
      page.length === 0
        ? new Set<string>()
        : new Set(
            (await readStore.find<CountryProfileDoc>(collections.countryProfiles, { where: { country: { in: page.map((c) => c.iso3) } } }))
              .filter((d) => Object.keys(d.doc.latest ?? {}).length > 0)
              .map((d) => d.doc.country),
          );
    return { total: all.length, limit: input.limit, offset: input.offset, countries: page.map((c) => ({ ...c, hasData: withData.has(c.iso3) })) };
  },
});
