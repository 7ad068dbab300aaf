import { auditAccessQuery } from './audit-access/audit-access.query.ts';
import { auditAsOfQuery } from './audit-asof/audit-asof.query.ts';
import { auditChangesQuery } from './audit-changes/audit-changes.query.ts';
import { auditRunQuery, auditRunsQuery } from './audit-runs/audit-runs.query.ts';
import { auditSeriesQuery } from './audit-series/audit-series.query.ts';
import { compareQuery } from './compare/compare.query.ts';
import { countryProfileQuery } from './country-profile/country-profile.query.ts';
import { dashboardQuery } from './dashboard/dashboard.query.ts';
import { listCountriesQuery } from './list-countries/list-countries.query.ts';
import { listIndicatorsQuery } from './list-indicators/list-indicators.query.ts';
import { listReportsQuery } from './list-reports/list-reports.query.ts';
import { listUsersQuery } from './list-users/list-users.query.ts';
import { rankingsQuery } from './rankings/rankings.query.ts';
import { seriesQuery } from './series/series.query.ts';

/** Every query of the read API; HTTP routes and gRPC methods run these. */
export const queries = {
  listCountries: listCountriesQuery,
  countryProfile: countryProfileQuery,
  listIndicators: listIndicatorsQuery,
  series: seriesQuery,
  rankings: rankingsQuery,
  dashboard: dashboardQuery,
  compare: compareQuery,
  auditSeries: auditSeriesQuery,
  auditRuns: auditRunsQuery,
  auditRun: auditRunQuery,
  auditChanges: auditChangesQuery,
  auditAsOf: auditAsOfQuery,
  auditAccess: auditAccessQuery,
  listUsers: listUsersQuery,
  listReports: listReportsQuery,
} as const;
