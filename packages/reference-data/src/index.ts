export { type Country, countries, countryByIso3, isCountry } from './countries.ts';
export { type Aggregate, aggregates, isAggregate } from './aggregates.ts';
export {
  type DashboardId,
  type Indicator,
  type IndicatorCategory,
  dashboards,
  indicatorByCode,
  indicators,
  isKnownIndicator,
} from './indicators.ts';

/** Attribution lines to show wherever the data is displayed (both sources are CC BY 4.0). */
export const attribution = Object.freeze({
  worldBank: 'The World Bank: World Development Indicators (CC BY 4.0)',
  oecd: 'OECD Data Explorer (CC BY 4.0)',
} as const);
