import { collections, seriesPoints, type SeriesDoc, type SeriesDocV1 } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, fromNotAfterTo, inYearRange, requireArea, requireIndicator, yearRangeShape } from '../fields.ts';

export const MAX_COMPARED = 10;

/** 1 to 10 countries or aggregates; repeats are dropped. */
export const comparedCountries = z
  .array(fields.country)
  .min(1, 'at least one country')
  .transform((codes) => [...new Set(codes)])
  .pipe(z.array(z.string()).max(MAX_COMPARED, `at most ${MAX_COMPARED} different countries`));

export const compareInput = z
  .object({ indicator: fields.indicator, countries: comparedCountries, ...yearRangeShape })
  .refine(...fromNotAfterTo);
export type CompareInput = z.infer<typeof compareInput>;

export const compareOutput = z.object({
  indicator: z.string(),
  indicatorName: z.string(),
  unit: z.string(),
  /** One series per country, in the order asked. */
  series: z.array(
    z.object({
      country: z.string(),
      countryName: z.string(),
      points: z.array(z.object({ year: z.number().int(), value: z.number() })),
    }),
  ),
});
export type CompareOutput = z.infer<typeof compareOutput>;

/** Several countries' series of one indicator, side by side. */
export const compareQuery = defineQuery({
  name: 'compare',
  input: compareInput,
  reads: [projections.series],
  cacheScope: (input) => input.indicator,
  async run(input, { readStore }): Promise<CompareOutput> {
    const indicator = requireIndicator(input.indicator);
    const areas = input.countries.map(requireArea);
    const docs = await readStore.find<SeriesDoc | SeriesDocV1>(collections.series, { where: { indicator: indicator.code, country: { in: input.countries } } });
    const byCountry = new Map(docs.map((d) => [d.doc.country, seriesPoints(d.doc)]));
    return {
      indicator: indicator.code,
      indicatorName: indicator.name,
      unit: indicator.unit,
      series: areas.map((a) => ({
        country: a.iso3,
        countryName: a.name,
        points: (byCountry.get(a.iso3) ?? []).filter((p) => inYearRange(p.year, input)),
      })),
    };
  },
});
