import { compareQuery } from './compare/compare.query.ts';
import { countryProfileQuery } from './country-profile/country-profile.query.ts';
import { dashboardQuery } from './dashboard/dashboard.query.ts';
import { listCountriesQuery } from './list-countries/list-countries.query.ts';
import { listIndicatorsQuery } from './list-indicators/list-indicators.query.ts';
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
} as const;
