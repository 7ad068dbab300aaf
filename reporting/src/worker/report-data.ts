import type { ReportSpec } from '@nationpulse/domain';
import type { QueryCaller } from '@nationpulse/protos';

/** A report as a header and rows of cells, produced lazily so a large report streams. */
export interface ReportTable {
  readonly columns: readonly string[];
  readonly rows: AsyncIterable<readonly (string | number)[]>;
}

/** Where a worker reads a report's data: the read side, as of at least a position. */
export interface ReportDataSource {
  table(spec: ReportSpec, minPosition: number): ReportTable;
}

const COMPARE_BATCH = 10; // the query service's CompareSeries limit

/**
 * Report data from the read API's gRPC QueryService — the same queries, schemas and
 * read-your-writes rule as the HTTP API. Every call has a deadline; failures arrive as
 * NationPulseErrors (validation / not found for a bad spec, unavailable for an outage).
 */
export const createGrpcReportData = (queries: QueryCaller): ReportDataSource => ({
  table(spec, minPosition) {
    switch (spec.kind) {
      case 'country-profile':
        return {
          columns: ['country', 'country_name', 'indicator', 'indicator_name', 'unit', 'year', 'value'],
          rows: (async function* () {
            const { indicators } = await queries.call('ListIndicators', { minPosition });
            for (const indicator of indicators) {
              const series = await queries.call('GetSeries', { country: spec.country, indicator: indicator.code, fromYear: spec.fromYear, toYear: spec.toYear, minPosition });
              for (const p of series.points) yield [series.country, series.countryName, series.indicator, series.indicatorName, series.unit, p.year, p.value];
            }
          })(),
        };
      case 'indicator-all-countries':
        return {
          columns: ['country', 'country_name', 'indicator', 'indicator_name', 'unit', 'year', 'value'],
          rows: (async function* () {
            const { countries } = await queries.call('ListCountries', { includeAggregates: false, limit: 300, minPosition });
            const withData = countries.filter((c) => c.hasData).map((c) => c.iso3);
            for (let i = 0; i < withData.length; i += COMPARE_BATCH) {
              const batch = withData.slice(i, i + COMPARE_BATCH);
              const compared = await queries.call('CompareSeries', { indicator: spec.indicator, countries: batch, fromYear: spec.fromYear, toYear: spec.toYear, minPosition });
              for (const s of compared.series) for (const p of s.points) yield [s.country, s.countryName, compared.indicator, compared.indicatorName, compared.unit, p.year, p.value];
            }
          })(),
        };
      case 'ranking':
        return {
          columns: ['rank', 'country', 'country_name', 'indicator', 'indicator_name', 'unit', 'year', 'value'],
          rows: (async function* () {
            const ranking = await queries.call('GetRanking', { indicator: spec.indicator, year: spec.year, limit: 300, order: spec.order === 'asc' ? 'RANKING_ORDER_ASC' : 'RANKING_ORDER_DESC', minPosition });
            for (const e of ranking.entries) yield [e.rank, e.country, e.name, ranking.indicator, ranking.indicatorName, ranking.unit, ranking.year ?? spec.year, e.value];
          })(),
        };
    }
  },
});
