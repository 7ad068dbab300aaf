import { collections, type IndicatorYearDoc } from '@nationpulse/read-models';
import { indicators } from '@nationpulse/reference-data';
import type { ReadStore } from '@nationpulse/ports';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';

export const listIndicatorsInput = z.object({});

export const indicatorSummary = z.object({
  code: z.string(),
  name: z.string(),
  unit: z.string(),
  category: z.string(),
  decimals: z.number().int(),
  description: z.string(),
  /** The latest year with a value for at least one country (aggregates aside), or null without data. */
  latestYear: z.number().int().nullable(),
});

export const listIndicatorsOutput = z.object({ indicators: z.array(indicatorSummary) });
export type ListIndicatorsOutput = z.infer<typeof listIndicatorsOutput>;

/** The latest year with a country's value for the indicator (aggregates aside), or null. */
export const latestYearOf = async (readStore: ReadStore, indicator: string): Promise<number | null> => {
  const [last] = await readStore.find<IndicatorYearDoc>(collections.indicatorYears, {
    where: { indicator, countryCount: { gte: 1 } },
    orderBy: [{ field: 'year', direction: 'desc' }],
    limit: 1,
  });
  return last?.doc.year ?? null;
};

/** The indicator catalogue, with how recent the data is. */
export const listIndicatorsQuery = defineQuery({
  name: 'list-indicators',
  input: listIndicatorsInput,
  reads: [projections.observations],
  async run(_input, { readStore }): Promise<ListIndicatorsOutput> {
    const latest = await Promise.all(indicators.map((i) => latestYearOf(readStore, i.code)));
    return {
      indicators: indicators.map((i, n) => ({
        code: i.code,
        name: i.name,
        unit: i.unit,
        category: i.category,
        decimals: i.decimals,
        description: i.description,
        latestYear: latest[n] ?? null,
      })),
    };
  },
});
