import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import type { Dashboard, DashboardId, DashboardIndicator, IndicatorSummary } from '../api/types.ts';
import { formatValue, splitFigure } from '../charts/format.ts';
import { RankingBars } from '../charts/RankingBars.tsx';
import { AsyncView, Empty, ErrorPanel, PageTitle, Skeleton, SourceNote } from '../components/ui.tsx';
import { useAsync } from '../components/use-async.ts';
import { intParam } from '../router/router.ts';
import { href } from '../router/routes.ts';
import { navigate } from '../router/use-route.ts';
import { useCatalogue } from '../session/catalogue.tsx';
import { useSession } from '../session/session.tsx';

// d3-geo, topojson and the shapes load only when the map is drawn: after the figures are on screen.
const WorldMap = lazy(() => import('../map/WorldMap.tsx'));

const BOARDS: readonly { id: DashboardId; title: string }[] = [
  { id: 'population', title: 'Population' },
  { id: 'health', title: 'Health' },
  { id: 'gdp', title: 'Economy' },
];
const HEADLINES = ['SP.POP.TOTL', 'SP.POP.GROW', 'SP.DYN.LE00.IN', 'SP.DYN.IMRT.IN', 'NY.GDP.MKTP.CD', 'NY.GDP.PCAP.CD'];
const DEFAULT_MAP_INDICATOR = 'SP.DYN.LE00.IN';

/** Marks the first render of the dashboard with data, for the page-speed benchmark (performance.getEntriesByName). */
const markFirstData = () => {
  if (performance.getEntriesByName('np:dashboard-data').length === 0) {
    performance.mark('np:dashboard-data');
    document.documentElement.dataset['dashboardReady'] = 'true';
  }
};

export const DashboardPage = ({ query }: { query: Readonly<Record<string, string>> }) => {
  const { ep } = useSession();
  const catalogue = useCatalogue();
  const year = intParam(query['year']);
  const mapIndicator = query['map'] ?? DEFAULT_MAP_INDICATOR;
  const setQuery = (patch: Record<string, string | number | null>) =>
    navigate(href('dashboard', {}, { year, map: query['map'], ...patch }), true);

  // Each board settles on its own: one failing (say health) leaves the others on screen.
  const boards = useAsync(() => Promise.allSettled(BOARDS.map((b) => ep.dashboard(b.id, year))), [ep, year]);
  const settled = boards.status === 'loading' ? null : boards.data;
  const ranking = useAsync(() => ep.rankings(mapIndicator, { year, limit: 300 }), [ep, mapIndicator, year]);

  // The map (its code, the shapes, projecting them) costs more main-thread time than the rest of
  // the page: it starts once the headline figures and boards are painted, not before.
  const [drawMap, setDrawMap] = useState(false);
  useEffect(() => {
    if (boards.status === 'loading') return;
    const frame = requestAnimationFrame(() => {
      if (boards.status === 'ready' && boards.data.every((b) => b.status === 'fulfilled')) markFirstData();
      setTimeout(() => setDrawMap(true), 0);
    });
    return () => cancelAnimationFrame(frame);
  }, [boards.status, boards.data]);

  const loaded = useMemo(() => (boards.data ?? []).flatMap((b) => (b.status === 'fulfilled' ? [b.value] : [])), [boards.data]);
  const failure = (boards.data ?? []).find((b): b is PromiseRejectedResult => b.status === 'rejected')?.reason as unknown;
  const byIndicator = useMemo(() => new Map(loaded.flatMap((d) => d.indicators.map((i) => [i.indicator, i] as const))), [loaded]);
  const mapValues = useMemo(() => new Map((ranking.data?.entries ?? []).map((e) => [e.country, e.value])), [ranking.data]);
  const mapMeta: IndicatorSummary | undefined = catalogue.data?.indicatorByCode.get(mapIndicator);

  return (
    <>
      <PageTitle
        text="Dashboard"
        actions={
          <div className="field-inline">
            <label htmlFor="year">Year</label>
            <select id="year" value={year ?? ''} onChange={(e) => setQuery({ year: e.target.value || null })}>
              <option value="">Latest available</option>
              {(catalogue.data?.years ?? []).map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          </div>
        }
      >
        The world at a glance
      </PageTitle>

      <section aria-labelledby="headline-title">
        <h2 id="headline-title" className="sr-only">
          Headline figures
        </h2>
        {boards.status === 'error' && <ErrorPanel error={boards.error} onRetry={boards.reload} />}
        {failure !== undefined && <ErrorPanel error={failure} onRetry={boards.reload} />}
        <div className="headlines" aria-busy={boards.status === 'loading'}>
          {HEADLINES.map((code) => (
            <Headline key={code} item={byIndicator.get(code)} loading={settled === null} />
          ))}
        </div>
      </section>

      <section className="panel" aria-labelledby="map-title">
        <div className="panel-head">
          <h2 id="map-title">
            {mapMeta?.name ?? mapIndicator}
            {ranking.data?.year ? <span className="muted"> · {ranking.data.year}</span> : null}
          </h2>
          <div className="field-inline">
            <label htmlFor="map-indicator">Colour by</label>
            <select id="map-indicator" value={mapIndicator} onChange={(e) => setQuery({ map: e.target.value })}>
              {groupByCategory(catalogue.data?.indicators ?? []).map(([category, list]) => (
                <optgroup key={category} label={category}>
                  {list.map((i) => (
                    <option key={i.code} value={i.code}>
                      {i.name}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </div>
        </div>
        <div className="map-layout">
          <div className="map-cell">
            {ranking.status === 'error' ? (
              <ErrorPanel error={ranking.error} onRetry={ranking.reload} />
            ) : (
              <Suspense fallback={<Skeleton lines={6} label="Loading map" />}>
                {!drawMap ? (
                  <Skeleton lines={6} label="Loading map" />
                ) : (
                  <WorldMap
                    values={mapValues}
                    names={catalogue.data?.countryNames ?? new Map()}
                    unit={ranking.data?.unit ?? mapMeta?.unit ?? ''}
                    decimals={mapMeta?.decimals ?? 1}
                    label={`World map of ${mapMeta?.name ?? mapIndicator}${ranking.data?.year ? ` in ${ranking.data.year}` : ''}`}
                    onSelect={(iso3) => navigate(href('country', { iso3 }))}
                  />
                )}
              </Suspense>
            )}
            <SourceNote source={ranking.data?.source} />
          </div>
          <div className="map-side">
            <h3>Top 10</h3>
            <AsyncView state={ranking} reload={ranking.reload} skeleton={8}>
              {(r) =>
                r.entries.length === 0 ? (
                  <Empty>No country has a value{year ? ` in ${year}` : ''}.</Empty>
                ) : (
                  <>
                    <RankingBars entries={r.entries.slice(0, 10)} unit={r.unit} decimals={mapMeta?.decimals ?? 1} label={`Top 10 by ${r.indicatorName}`} />
                    <p className="muted small">
                      {r.total} countries with data.{' '}
                      <a href={href('compare', {}, { indicator: r.indicator, countries: r.entries.slice(0, 5).map((e) => e.country).join(',') })}>
                        Compare the top 5 over time
                      </a>
                    </p>
                  </>
                )
              }
            </AsyncView>
          </div>
        </div>
      </section>

      {BOARDS.map((board, n) => (
        <section key={board.id} className="panel" aria-labelledby={`board-${board.id}`}>
          <h2 id={`board-${board.id}`}>{board.title}</h2>
          {settled?.[n]?.status === 'rejected' || boards.status === 'error' ? (
            <p className="muted">Not available: see the message above.</p>
          ) : settled === null ? (
            <Skeleton lines={5} />
          ) : (
            <BoardView dashboard={settled?.[n]?.status === 'fulfilled' ? settled[n].value : undefined} />
          )}
        </section>
      ))}
    </>
  );
};

const groupByCategory = (indicators: readonly IndicatorSummary[]): [string, IndicatorSummary[]][] => {
  const groups = new Map<string, IndicatorSummary[]>();
  for (const i of indicators) groups.set(i.category, [...(groups.get(i.category) ?? []), i]);
  return [...groups.entries()].map(([c, list]) => [c.charAt(0).toUpperCase() + c.slice(1), list]);
};

const Headline = ({ item, loading }: { item: DashboardIndicator | undefined; loading: boolean }) => {
  if (loading) return <div className="headline skeleton-card" aria-hidden="true" />;
  if (!item) return null;
  const [figure, unit] = item.world === null ? ['—', ''] : splitFigure(formatValue(item.world, item.unit, item.decimals));
  return (
    <div className="headline">
      <span className="headline-label">{item.indicatorName.replace(/\s*\(.*\)$/, '')}</span>
      <span className="headline-value">
        {figure}
        {unit && <span className="headline-unit"> {unit}</span>}
      </span>
      <span className="headline-meta">
        {item.year === null ? 'No data yet' : `World · ${item.year} · ${item.total} countries`}
      </span>
    </div>
  );
};

const BoardView = ({ dashboard }: { dashboard: Dashboard | undefined }) => {
  if (!dashboard) return null;
  return (
    <div className="board-grid">
      {dashboard.indicators.map((i) => (
        <article key={i.indicator} className="card">
          <h3>
            <a href={href('dashboard', {}, { map: i.indicator, year: dashboard.year })}>{i.indicatorName}</a>
          </h3>
          <p className="muted small">
            {i.year === null ? 'No data yet' : `${i.year} · ${i.total} countries · World ${formatValue(i.world, i.unit, i.decimals)}`}
          </p>
          {i.top.length === 0 ? (
            <Empty>No values for this year.</Empty>
          ) : (
            <div className="top-bottom">
              <div>
                <h4>Highest</h4>
                <RankingBars entries={i.top} unit={i.unit} decimals={i.decimals} label={`Highest ${i.indicatorName}`} />
              </div>
              <div>
                <h4>Lowest</h4>
                <RankingBars entries={i.bottom} unit={i.unit} decimals={i.decimals} label={`Lowest ${i.indicatorName}`} />
              </div>
            </div>
          )}
          <SourceNote source={i.source} />
        </article>
      ))}
    </div>
  );
};
