import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { CountrySummary, IndicatorSummary } from '../api/types.ts';
import { useAsync, type AsyncState } from '../components/use-async.ts';
import { useSession } from './session.tsx';

export interface Catalogue {
  readonly indicators: readonly IndicatorSummary[];
  readonly countries: readonly CountrySummary[];
  readonly indicatorByCode: ReadonlyMap<string, IndicatorSummary>;
  readonly countryNames: ReadonlyMap<string, string>;
  /** Years from the earliest sensible one to the latest with data, newest first. */
  readonly years: readonly number[];
}

const CatalogueContext = createContext<(AsyncState<Catalogue> & { reload: () => void }) | null>(null);

const FIRST_YEAR = 1960;

/** Indicators and countries, loaded once per session and shared by every page. */
export const CatalogueProvider = ({ children }: { children: ReactNode }) => {
  const { ep } = useSession();
  const state = useAsync(async (): Promise<Catalogue> => {
    const [{ indicators }, { countries }] = await Promise.all([ep.indicators(), ep.countries()]);
    const latest = Math.max(...indicators.map((i) => i.latestYear ?? 0));
    const years = latest > 0 ? Array.from({ length: latest - FIRST_YEAR + 1 }, (_, i) => latest - i) : [];
    return {
      indicators,
      countries,
      indicatorByCode: new Map(indicators.map((i) => [i.code, i])),
      countryNames: new Map(countries.map((c) => [c.iso3, c.name])),
      years,
    };
  }, [ep]);
  const value = useMemo(() => state, [state]);
  return <CatalogueContext.Provider value={value}>{children}</CatalogueContext.Provider>;
};

export const useCatalogue = () => {
  const c = useContext(CatalogueContext);
  if (!c) throw new Error('useCatalogue outside CatalogueProvider');
  return c;
};
