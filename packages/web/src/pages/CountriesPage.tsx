import { useMemo, useState } from 'react';
import { AsyncView, Empty, PageTitle } from '../components/ui.tsx';
import { href } from '../router/routes.ts';
import { useCatalogue } from '../session/catalogue.tsx';

export default function CountriesPage() {
  const catalogue = useCatalogue();
  const [search, setSearch] = useState('');
  const [region, setRegion] = useState('');
  const regions = useMemo(() => [...new Set((catalogue.data?.countries ?? []).map((c) => c.region).filter((r): r is string => !!r))].sort(), [catalogue.data]);

  return (
    <>
      <PageTitle text="Countries">Countries</PageTitle>
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor="country-search">Find a country</label>
          <input id="country-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or ISO code" />
        </div>
        <div className="field">
          <label htmlFor="country-region">Region</label>
          <select id="country-region" value={region} onChange={(e) => setRegion(e.target.value)}>
            <option value="">All regions</option>
            {regions.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </div>
      </div>
      <AsyncView state={catalogue} reload={catalogue.reload} skeleton={10}>
        {(c) => {
          const q = search.trim().toLowerCase();
          const list = c.countries.filter((x) => (!region || x.region === region) && (!q || x.name.toLowerCase().includes(q) || x.iso3.toLowerCase() === q));
          return list.length === 0 ? (
            <Empty>No country matches.</Empty>
          ) : (
            <ul className="country-grid" aria-label={`${list.length} countries`}>
              {list.map((x) => (
                <li key={x.iso3}>
                  <a href={href('country', { iso3: x.iso3 })} className={x.hasData ? undefined : 'no-data'}>
                    <span className="country-name">{x.name}</span>
                    <span className="muted small">
                      {x.iso3} · {x.subregion ?? x.region ?? '—'}
                      {!x.hasData && ' · no data'}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          );
        }}
      </AsyncView>
    </>
  );
}
