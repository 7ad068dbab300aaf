import { collections, seriesPoints, type SeriesDoc, type SeriesDocV1 } from '@nationpulse/read-models';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, fromNotAfterTo, inYearRange, requireArea, requireIndicator, yearRangeShape } from '../fields.ts';

export const seriesInput = z
  .object({ country: fields.country, indicator: fields.indicator, ...yearRangeShape })
  .refine(...fromNotAfterTo);
export type SeriesInput = z.infer<typeof seriesInput>;

export const seriesPoint = z.object({
  year: z.number().int(),
  value: z.number(),
  /** Percent change from the previous year's value (rounded to 4 decimals); null without one, or when it is 0. */
  growth: z.number().nullable(),
});

export const seriesOutput = z.object({
  country: z.string(),
  countryName: z.string(),
  indicator: z.string(),
  indicatorName: z.string(),
  unit: z.string(),
  points: z.array(seriesPoint),
});
export type SeriesOutput = z.infer<typeof seriesOutput>;

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

/**
 * Year-on-year growth of each point, in percent: from the value of the year just before, when the
 * series has one (a gap gives null) and it is not 0. Relative to the previous value's magnitude,
 * so a rise from a negative value is a positive change.
 */
export const withGrowth = (points: readonly { year: number; value: number }[]): z.infer<typeof seriesPoint>[] => {
  const byYear = new Map(points.map((p) => [p.year, p.value]));
  return points.map(({ year, value }) => {
    const previous = byYear.get(year - 1);
    return { year, value, growth: previous === undefined || previous === 0 ? null : round4(((value - previous) / Math.abs(previous)) * 100) };
  });
};

/** One country's (or aggregate's) values of one indicator, by year, with growth. */
export const seriesQuery = defineQuery({
  name: 'series',
  input: seriesInput,
  reads: [projections.series],
  cacheScope: (input) => `${input.country}:${input.indicator}`,
  async run(input, { readStore }): Promise<SeriesOutput> {
    const area = requireArea(input.country);
    const indicator = requireIndicator(input.indicator);
    const doc = await readStore.get<SeriesDoc | SeriesDocV1>(collections.series, `${input.country}:${input.indicator}`);
    const points = doc ? seriesPoints(doc.doc) : [];
    return {
      country: area.iso3,
      countryName: area.name,
      indicator: indicator.code,
      indicatorName: indicator.name,
      unit: indicator.unit,
      // Growth over the whole series first, so the first point of a range still has its growth.
      points: withGrowth(points).filter((p) => inYearRange(p.year, input)),
    };
  },
});
