import { dashboards, type DashboardId } from '@nationpulse/reference-data';
import { z } from 'zod';
import { dashboardNotFound } from '../../query-handling/errors.ts';
import { projections } from '../../query-handling/projections.ts';
import { defineQuery } from '../../query-handling/query-definition.ts';
import { fields, requireIndicator } from '../fields.ts';
import { latestYearOf } from '../list-indicators/list-indicators.query.ts';
import { rankCountries, rankingEntry, readIndicatorYear } from '../rankings/rankings.query.ts';

/** The World aggregate, whose value heads each dashboard indicator. */
export const WORLD = 'WLD';
const TOP = 5;

export const dashboardInput = z.object({
  /** population, health or gdp; another name is 404 DASHBOARD_NOT_FOUND. */
  dashboard: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a dashboard name such as population'),
  /** Default: each indicator's latest year with data. */
  year: fields.year.optional(),
});
export type DashboardInput = z.infer<typeof dashboardInput>;

export const dashboardIndicator = z.object({
  indicator: z.string(),
  indicatorName: z.string(),
  unit: z.string(),
  decimals: z.number().int(),
  /** The year shown: the requested one, else the indicator's latest; null without any data. */
  year: z.number().int().nullable(),
  /** The World (WLD) value that year, when known. */
  world: z.number().nullable(),
  /** Countries with a value that year. */
  total: z.number().int(),
  /** The 5 highest values, highest first. */
  top: z.array(rankingEntry),
  /** The 5 lowest values, lowest first. */
  bottom: z.array(rankingEntry),
});

export const dashboardOutput = z.object({
  dashboard: z.string(),
  year: z.number().int().nullable(),
  indicators: z.array(dashboardIndicator),
});
export type DashboardOutput = z.infer<typeof dashboardOutput>;

const isDashboard = (name: string): name is DashboardId => Object.hasOwn(dashboards, name);

/** A dashboard: per indicator, the World headline and the top and bottom 5 countries. */
export const dashboardQuery = defineQuery({
  name: 'dashboard',
  input: dashboardInput,
  reads: [projections.observations],
  cacheScope: (input) => String(input.year ?? 'latest'),
  async run(input, deps): Promise<DashboardOutput> {
    const { readStore } = deps;
    if (!isDashboard(input.dashboard)) throw dashboardNotFound(input.dashboard);
    const items = await Promise.all(
      dashboards[input.dashboard].map(async (code) => {
        const indicator = requireIndicator(code);
        const year = input.year ?? (await latestYearOf(readStore, code));
        const base = { indicator: code, indicatorName: indicator.name, unit: indicator.unit, decimals: indicator.decimals, year };
        if (year === null) return { ...base, world: null, total: 0, top: [], bottom: [] };
        // One document holds the World's value and the whole ranking.
        const doc = await readIndicatorYear(deps, code, year);
        const [top, bottom] = await Promise.all([
          rankCountries(deps, { indicator: code, year, order: 'desc', limit: TOP }, doc),
          rankCountries(deps, { indicator: code, year, order: 'asc', limit: TOP }, doc),
        ]);
        const world = doc && Object.hasOwn(doc.doc.aggregates, WORLD) ? doc.doc.aggregates[WORLD]! : null;
        return { ...base, world, total: top.total, top: top.entries, bottom: bottom.entries };
      }),
    );
    return { dashboard: input.dashboard, year: input.year ?? null, indicators: items };
  },
});
