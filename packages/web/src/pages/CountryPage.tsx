import { useState } from 'react';
import type { CountryProfile, LatestValue } from '../api/types.ts';
import { formatGrowth, formatPointChange, formatValue, isPercentUnit } from '../charts/format.ts';
import { LineChart } from '../charts/LineChart.tsx';
import { AsyncView, Empty, ErrorPanel, PageTitle, Skeleton, SourceNote } from '../components/ui.tsx';
import { useAsync } from '../components/use-async.ts';
import { intParam } from '../router/router.ts';
import { href } from '../router/routes.ts';
import { navigate } from '../router/use-route.ts';
import { useCatalogue } from '../session/catalogue.tsx';
import { useSession } from '../session/session.tsx';
import { YearRange } from './YearRange.tsx';

const CATEGORIES = [
  { id: 'population', title: 'Population', charts: ['SP.POP.TOTL', 'SP.POP.GROW'] },
  { id: 'health', title: 'Health', charts: ['SP.DYN.LE00.IN', 'SP.DYN.IMRT.IN', 'SH.DYN.MORT', 'SP.DYN.TFRT.IN'] },
  { id: 'economy', title: 'Economy', charts: ['NY.GDP.MKTP.CD', 'NY.GDP.PCAP.CD', 'NY.GDP.MKTP.KD.ZG', 'NE.EXP.GNFS.ZS'] },
] as const;

export default function CountryPage({ iso3, query }: { iso3: string; query: Readonly<Record<string, string>> }) {
  const { ep } = useSession();
  const catalogue = useCatalogue();
  const from = intParam(query['from']);
  const to = intParam(query['to']);
  const profile = useAsync(() => ep.country(iso3), [ep, iso3]);

  return (
    <>
      <PageTitle
        text={profile.data?.name ?? iso3}
        actions={
          <YearRange
            years={catalogue.data?.years ?? []}
            from={from}
            to={to}
            onChange={(r) => navigate(href('country', { iso3 }, { from: r.from, to: r.to }), true)}
          />
        }
      >
        {profile.data?.name ?? iso3}
      </PageTitle>
      <AsyncView state={profile} reload={profile.reload} skeleton={6}>
        {(p) => <CountryBody profile={p} from={from} to={to} />}
      </AsyncView>
    </>
  );
}

const CountryBody = ({ profile, from, to }: { profile: CountryProfile; from: number | null; to: number | null }) => {
  const [showAll, setShowAll] = useState(false);
  const has = new Set(profile.indicators.map((i) => i.code));
  return (
    <>
      <p className="lede">
        {profile.officialName && profile.officialName !== profile.name ? `${profile.officialName} · ` : ''}
        {[profile.subregion, profile.region].filter(Boolean).join(', ') || (profile.isAggregate ? 'Aggregate' : '')} · ISO {profile.iso3}
        {profile.iso2 ? ` / ${profile.iso2}` : ''}
        {' · '}
        <a href={href('compare', {}, { countries: profile.iso3 })}>Compare with others</a>
      </p>
      {profile.indicators.length === 0 && <Empty>No data has been ingested for {profile.name} yet.</Empty>}
      {CATEGORIES.map((c) => {
        const latest = profile.indicators.filter((i) => i.category === c.id);
        if (latest.length === 0) return null;
        const charts = showAll ? latest.map((l) => l.code) : c.charts.filter((code) => has.has(code));
        return (
          <section key={c.id} className="panel" aria-labelledby={`cat-${c.id}`}>
            <h2 id={`cat-${c.id}`}>{c.title}</h2>
            <LatestTable values={latest} />
            <div className="chart-grid">
              {charts.map((code) => (
                <SeriesChart key={code} iso3={profile.iso3} indicator={code} from={from} to={to} latest={latest.find((l) => l.code === code)} />
              ))}
            </div>
          </section>
        );
      })}
      {profile.indicators.length > 0 && (
        <button type="button" className="btn btn-secondary" onClick={() => setShowAll((s) => !s)} aria-expanded={showAll}>
          {showAll ? 'Show the key charts only' : 'Show a chart for every indicator'}
        </button>
      )}
    </>
  );
};

const LatestTable = ({ values }: { values: readonly LatestValue[] }) => (
  <div className="latest-grid">
    {values.map((v) => (
      <div key={v.code} className="latest">
        <span className="latest-label">{v.name}</span>
        <span className="latest-value">{formatValue(v.value, v.unit, v.decimals)}</span>
        <span className="muted small">{v.year}</span>
      </div>
    ))}
  </div>
);

const SeriesChart = ({ iso3, indicator, from, to, latest }: { iso3: string; indicator: string; from: number | null; to: number | null; latest: LatestValue | undefined }) => {
  const { ep } = useSession();
  const series = useAsync(() => ep.series(iso3, indicator, { ...(from ? { from } : {}), ...(to ? { to } : {}) }), [ep, iso3, indicator, from, to]);
  if (series.status === 'error' && series.data === null) return <ErrorPanel error={series.error} onRetry={series.reload} />;
  const s = series.data;
  if (!s) return <Skeleton lines={6} label={`Loading ${latest?.name ?? indicator}`} />;
  const last = s.points[s.points.length - 1];
  const firstPoint = s.points[0];
  // Rates (units in %) change by percentage points; other values by a relative growth.
  const rate = isPercentUnit(s.unit);
  const previous = last ? s.points.find((p) => p.year === last.year - 1) : undefined;
  const yearOnYear = rate ? (last && previous ? last.value - previous.value : null) : last?.growth;
  const sinceFirst = firstPoint && last ? (rate ? last.value - firstPoint.value : firstPoint.value !== 0 ? ((last.value - firstPoint.value) / Math.abs(firstPoint.value)) * 100 : null) : null;
  const change = rate ? formatPointChange : formatGrowth;
  return (
    <article className="card chart-card" aria-busy={series.status === 'loading'}>
      <h3>{s.indicatorName}</h3>
      {s.points.length === 0 ? (
        <Empty>No values in this range.</Empty>
      ) : (
        <>
          <p className="growth">
            <span>
              Latest: <strong>{formatValue(last?.value, s.unit, latest?.decimals ?? 1)}</strong> ({last?.year})
            </span>
            <span>
              Year on year: <strong className={growthClass(yearOnYear)}>{change(yearOnYear)}</strong>
            </span>
            {firstPoint && last && firstPoint.year !== last.year && (
              <span>
                Since {firstPoint.year}: <strong className={growthClass(sinceFirst)}>{change(sinceFirst)}</strong>
              </span>
            )}
          </p>
          <LineChart title={`${s.countryName}: ${s.indicatorName}`} unit={s.unit} decimals={latest?.decimals ?? 1} series={[{ id: s.country, label: s.countryName, points: s.points }]} height={240} />
        </>
      )}
      <div className="card-foot">
        <SourceNote source={s.source} />
        <a className="small" href={href('audit', {}, { country: iso3, indicator })}>
          History of these values
        </a>
      </div>
    </article>
  );
};

const growthClass = (g: number | null | undefined) => (g === null || g === undefined ? undefined : g > 0 ? 'up' : g < 0 ? 'down' : undefined);
