import { collections, indicatorYearId, rankingOf, type IndicatorYearDoc } from '@nationpulse/read-models';
import type { StoredDocument } from '@nationpulse/ports';
import { z } from 'zod';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery, type QueryDependencies } from '../../query-handling/query-definition.ts';
import { fields, nameOf, requireIndicator } from '../fields.ts';
import { latestYearOf } from '../list-indicators/list-indicators.query.ts';

export const rankingsInput = z.object({
  indicator: fields.indicator,
  /** Default: the latest year with a country's value for the indicator. */
  year: fields.year.optional(),
  limit: fields.limit.default(10),
  order: fields.order.default('desc'),
});
export type RankingsInput = z.infer<typeof rankingsInput>;

export const rankingEntry = z.object({
  /** 1-based place in the requested order; equal values are ordered by country code, in the same direction (like a sorted set). */
  rank: z.number().int(),
  country: z.string(),
  name: z.string(),
  value: z.number(),
});
export type RankingEntry = z.infer<typeof rankingEntry>;

export const rankingsOutput = z.object({
  indicator: z.string(),
  indicatorName: z.string(),
  unit: z.string(),
  /** null when the indicator has no data at all (and no year was asked for). */
  year: z.number().int().nullable(),
  order: fields.order,
  /** How many countries have a value that year. */
  total: z.number().int(),
  entries: z.array(rankingEntry),
});
export type RankingsOutput = z.infer<typeof rankingsOutput>;

/**
 * The countries with a value for the indicator in the year, ordered by value (aggregates never
 * rank). From the cache's ranking board when it can vouch for the answer's position, else from
 * the indicator-year document (`stored`, when the caller already read it); both give the same
 * answer. Equal values are ordered by country code in the direction asked, as a sorted set
 * orders its members.
 */
export const rankCountries = async (
  deps: QueryDependencies,
  q: { indicator: string; year: number; order: 'asc' | 'desc'; limit: number },
  stored?: StoredDocument<IndicatorYearDoc> | null,
): Promise<{ total: number; entries: RankingEntry[] }> => {
  const board = deps.rankingBoards && deps.position !== undefined ? await deps.rankingBoards.rank(q, deps.position) : null;
  if (board) {
    return { total: board.total, entries: board.entries.map((e, i) => ({ rank: i + 1, country: e.country, name: nameOf(e.country), value: e.value })) };
  }
  const doc = stored === undefined ? await readIndicatorYear(deps, q.indicator, q.year) : stored;
  if (!doc) return { total: 0, entries: [] };
  const ranked = rankingOf(doc.doc, q.order);
  return { total: ranked.length, entries: ranked.slice(0, q.limit).map((e, i) => ({ rank: i + 1, country: e.country, name: nameOf(e.country), value: e.value })) };
};

/** Every area's value of the indicator in the year, or null without any. */
export const readIndicatorYear = (deps: Pick<QueryDependencies, 'readStore'>, indicator: string, year: number): Promise<StoredDocument<IndicatorYearDoc> | null> =>
  deps.readStore.get<IndicatorYearDoc>(collections.indicatorYears, indicatorYearId(indicator, year));

/** Countries ranked by an indicator's value in a year. */
export const rankingsQuery = defineQuery({
  name: 'rankings',
  input: rankingsInput,
  reads: [projections.observations],
  cacheScope: (input) => `${input.indicator}:${input.year ?? 'latest'}`,
  async run(input, deps): Promise<RankingsOutput> {
    const indicator = requireIndicator(input.indicator);
    const year = input.year ?? (await latestYearOf(deps.readStore, indicator.code));
    const { total, entries } = year === null ? { total: 0, entries: [] } : await rankCountries(deps, { indicator: indicator.code, year, order: input.order, limit: input.limit });
    return { indicator: indicator.code, indicatorName: indicator.name, unit: indicator.unit, year, order: input.order, total, entries };
  },
});
