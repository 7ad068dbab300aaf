import type {
  CompareSeriesRequest,
  CompareSeriesResponse,
  CountryProfileResponse,
  DashboardResponse,
  GetCountryProfileRequest,
  GetDashboardRequest,
  GetRankingRequest,
  GetSeriesRequest,
  ListCountriesRequest,
  ListCountriesResponse,
  ListIndicatorsResponse,
  ProtoEnum,
  RankingEntryMessage,
  RankingResponse,
  ReadRankingOrderName,
  SeriesResponse,
} from '@nationpulse/protos';
import type { CompareOutput } from '../queries/compare/compare.query.ts';
import type { CountryProfileOutput } from '../queries/country-profile/country-profile.query.ts';
import type { DashboardOutput } from '../queries/dashboard/dashboard.query.ts';
import type { ListCountriesOutput } from '../queries/list-countries/list-countries.query.ts';
import type { ListIndicatorsOutput } from '../queries/list-indicators/list-indicators.query.ts';
import type { RankingEntry, RankingsOutput } from '../queries/rankings/rankings.query.ts';
import type { SeriesOutput } from '../queries/series/series.query.ts';

/**
 * Request messages to the queries' input shapes, and answers back. Mapping only: the executor
 * validates the input against the query's own schema, exactly as for HTTP. Proto3 has no null:
 * a null becomes an absent `optional` field.
 */

/** Field names of the input that the messages spell differently, for validation details. */
export const messageFieldNames: Readonly<Record<string, string>> = { from: 'fromYear', to: 'toYear' };

const opt = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/** 0 is proto3's "not given". */
export const minPositionOf = (request: { minPosition: number }): number | undefined => (request.minPosition > 0 ? request.minPosition : undefined);

const orderOf = (order: ProtoEnum<ReadRankingOrderName>): string | number | undefined =>
  order === 'RANKING_ORDER_DESC' ? 'desc' : order === 'RANKING_ORDER_ASC' ? 'asc' : order === 'RANKING_ORDER_UNSPECIFIED' || order === 0 ? undefined : order;

export const listCountriesInput = (r: ListCountriesRequest) => ({
  includeAggregates: r.includeAggregates,
  region: r.region === '' ? undefined : r.region,
  limit: r.limit,
  offset: r.offset,
});
export const countryProfileInput = (r: GetCountryProfileRequest) => ({ country: r.country });
export const seriesInput = (r: GetSeriesRequest) => ({ country: r.country, indicator: r.indicator, from: r.fromYear, to: r.toYear });
export const rankingsInput = (r: GetRankingRequest) => ({ indicator: r.indicator, year: r.year, limit: r.limit, order: orderOf(r.order) });
export const dashboardInput = (r: GetDashboardRequest) => ({ dashboard: r.dashboard, year: r.year });
export const compareInput = (r: CompareSeriesRequest) => ({ indicator: r.indicator, countries: r.countries, from: r.fromYear, to: r.toYear });

export const listCountriesMessage = (o: ListCountriesOutput, position: number): ListCountriesResponse => ({
  position,
  total: o.total,
  limit: o.limit,
  offset: o.offset,
  countries: o.countries.map((c) => ({ ...c, iso2: opt(c.iso2), region: opt(c.region), subregion: opt(c.subregion) })),
});

export const countryProfileMessage = (o: CountryProfileOutput, position: number): CountryProfileResponse => ({
  position,
  ...o,
  iso2: opt(o.iso2),
  numeric: opt(o.numeric),
  officialName: opt(o.officialName),
  region: opt(o.region),
  subregion: opt(o.subregion),
});

export const listIndicatorsMessage = (o: ListIndicatorsOutput, position: number): ListIndicatorsResponse => ({
  position,
  indicators: o.indicators.map((i) => ({ ...i, latestYear: opt(i.latestYear) })),
});

export const seriesMessage = (o: SeriesOutput, position: number): SeriesResponse => ({
  position,
  ...o,
  points: o.points.map((p) => ({ year: p.year, value: p.value, growth: opt(p.growth) })),
});

const entries = (list: readonly RankingEntry[]): RankingEntryMessage[] => list.map((e) => ({ ...e }));

export const rankingMessage = (o: RankingsOutput, position: number): RankingResponse => ({
  position,
  ...o,
  year: opt(o.year),
  order: o.order === 'asc' ? 'RANKING_ORDER_ASC' : 'RANKING_ORDER_DESC',
  entries: entries(o.entries),
});

export const dashboardMessage = (o: DashboardOutput, position: number): DashboardResponse => ({
  position,
  dashboard: o.dashboard,
  year: opt(o.year),
  indicators: o.indicators.map((i) => ({ ...i, year: opt(i.year), world: opt(i.world), top: entries(i.top), bottom: entries(i.bottom) })),
});

export const compareMessage = (o: CompareOutput, position: number): CompareSeriesResponse => ({ position, ...o });
