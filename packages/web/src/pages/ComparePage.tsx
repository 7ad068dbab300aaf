import { useState, type FormEvent } from 'react';
import { LineChart } from '../charts/LineChart.tsx';
import { AsyncView, Empty, PageTitle, SourceNote } from '../components/ui.tsx';
import { useAsync } from '../components/use-async.ts';
import { intParam } from '../router/router.ts';
import { href } from '../router/routes.ts';
import { navigate } from '../router/use-route.ts';
import { useCatalogue } from '../session/catalogue.tsx';
import { useSession } from '../session/session.tsx';
import { YearRange } from './YearRange.tsx';

const MAX_COUNTRIES = 10;
const DEFAULTS = { indicator: 'SP.DYN.LE00.IN', countries: 'FRA,DEU,JPN,BRA,NGA' };

export default function ComparePage({ query }: { query: Readonly<Record<string, string>> }) {
  const { ep } = useSession();
  const catalogue = useCatalogue();
  const indicator = query['indicator'] ?? DEFAULTS.indicator;
  const countries = (query['countries'] ?? DEFAULTS.countries).split(',').filter(Boolean).slice(0, MAX_COUNTRIES);
  const from = intParam(query['from']);
  const to = intParam(query['to']);
  const [adding, setAdding] = useState('');
  const meta = catalogue.data?.indicatorByCode.get(indicator);

  const set = (patch: Partial<{ indicator: string; countries: string[]; from: number | null; to: number | null }>) =>
    navigate(
      href('compare', {}, { indicator: patch.indicator ?? indicator, countries: (patch.countries ?? countries).join(','), from: 'from' in patch ? patch.from : from, to: 'to' in patch ? patch.to : to }),
      true,
    );

  const comparison = useAsync(
    () => (countries.length === 0 ? Promise.resolve(null) : ep.compare(indicator, countries, { ...(from ? { from } : {}), ...(to ? { to } : {}) })),
    [ep, indicator, countries.join(','), from, to],
  );

  const add = (e: FormEvent) => {
    e.preventDefault();
    const c = catalogue.data?.countries.find((x) => x.name.toLowerCase() === adding.trim().toLowerCase() || x.iso3 === adding.trim().toUpperCase());
    if (c && !countries.includes(c.iso3) && countries.length < MAX_COUNTRIES) set({ countries: [...countries, c.iso3] });
    setAdding('');
  };

  return (
    <>
      <PageTitle text="Compare">Compare countries</PageTitle>
      <div className="filters">
        <div className="field">
          <label htmlFor="cmp-indicator">Indicator</label>
          <select id="cmp-indicator" value={indicator} onChange={(e) => set({ indicator: e.target.value })}>
            {(catalogue.data?.indicators ?? []).map((i) => (
              <option key={i.code} value={i.code}>
                {i.name}
              </option>
            ))}
          </select>
        </div>
        <form className="field" onSubmit={add}>
          <label htmlFor="cmp-add">Add a country ({countries.length}/{MAX_COUNTRIES})</label>
          <div className="input-row">
            <input id="cmp-add" list="cmp-countries" value={adding} onChange={(e) => setAdding(e.target.value)} placeholder="Country name or ISO3" disabled={countries.length >= MAX_COUNTRIES} />
            <button type="submit" className="btn btn-secondary" disabled={!adding.trim()}>
              Add
            </button>
          </div>
          <datalist id="cmp-countries">
            {(catalogue.data?.countries ?? []).filter((c) => c.hasData).map((c) => (
              <option key={c.iso3} value={c.name} />
            ))}
          </datalist>
        </form>
        <YearRange years={catalogue.data?.years ?? []} from={from} to={to} onChange={(r) => set(r)} />
      </div>
      <ul className="chips" aria-label="Compared countries">
        {countries.map((c) => (
          <li key={c}>
            <a href={href('country', { iso3: c })}>{catalogue.data?.countryNames.get(c) ?? c}</a>
            <button type="button" aria-label={`Remove ${catalogue.data?.countryNames.get(c) ?? c}`} onClick={() => set({ countries: countries.filter((x) => x !== c) })}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <section className="panel" aria-labelledby="cmp-title">
        <h2 id="cmp-title">{meta?.name ?? indicator}</h2>
        <AsyncView state={comparison} reload={comparison.reload} skeleton={8}>
          {(cmp) =>
            cmp === null ? (
              <Empty>Add at least one country.</Empty>
            ) : (
              <>
                <LineChart
                  title={`${cmp.indicatorName}: ${cmp.series.map((s) => s.countryName).join(', ')}`}
                  unit={cmp.unit}
                  decimals={meta?.decimals ?? 1}
                  series={cmp.series.map((s) => ({ id: s.country, label: s.countryName, points: s.points }))}
                  height={360}
                />
                {cmp.series.some((s) => s.points.length === 0) && (
                  <p className="muted small">No data for: {cmp.series.filter((s) => s.points.length === 0).map((s) => s.countryName).join(', ')}.</p>
                )}
                <SourceNote source={cmp.source} />
              </>
            )
          }
        </AsyncView>
      </section>
    </>
  );
}
