import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client.ts';
import type { AccessChange, RunSummary } from '../api/types.ts';
import { formatExact, formatInstant, formatValue } from '../charts/format.ts';
import { AsyncView, Empty, ErrorPanel, PageTitle, StatusPill } from '../components/ui.tsx';
import { useAsync } from '../components/use-async.ts';
import { intParam } from '../router/router.ts';
import { href } from '../router/routes.ts';
import { navigate } from '../router/use-route.ts';
import { pagePermissions } from '../session/identity.ts';
import { useCatalogue } from '../session/catalogue.tsx';
import { useSession } from '../session/session.tsx';

const TABS = [
  { id: 'runs', label: 'Ingestion runs' },
  { id: 'history', label: 'Value history' },
  { id: 'asof', label: 'As of' },
  { id: 'access', label: 'Access changes' },
] as const;
type Tab = (typeof TABS)[number]['id'];

const n = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US'));

export default function AuditPage({ query }: { query: Readonly<Record<string, string>> }) {
  const { may } = useSession();
  const tab: Tab = (TABS.find((t) => t.id === query['tab'])?.id ?? (query['country'] ? 'history' : 'runs'));
  const go = (patch: Record<string, string | number | null | undefined>) => navigate(href('audit', {}, { ...query, ...patch }), true);

  return (
    <>
      <PageTitle text="Audit">Audit trail</PageTitle>
      {!may(pagePermissions.audit) ? (
        <ErrorPanel error={new ApiError(403, 'PERMISSION_DENIED', 'audit:read is needed')} />
      ) : (
        <>
          <div className="tabs" role="tablist" aria-label="Audit views">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                onClick={() => go({ tab: t.id, run: null })}
                onKeyDown={(e) => {
                  const i = TABS.findIndex((x) => x.id === tab);
                  const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
                  if (next) {
                    go({ tab: next.id, run: null });
                    requestAnimationFrame(() => document.getElementById(`tab-${next.id}`)?.focus());
                  }
                }}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="panel">
            {tab === 'runs' && (query['run'] ? <RunDetailView runId={query['run']} onBack={() => go({ run: null })} /> : <Runs onOpen={(run) => go({ run })} />)}
            {tab === 'history' && <ValueHistory query={query} go={go} />}
            {tab === 'asof' && <AsOfView query={query} go={go} />}
            {tab === 'access' && <AccessChanges />}
          </div>
        </>
      )}
    </>
  );
}

const Runs = ({ onOpen }: { onOpen: (runId: string) => void }) => {
  const { ep } = useSession();
  return (
    <PagedTable
      load={(offset) => ep.auditRuns(20, offset)}
      items={(r) => r.runs}
      empty="No ingestion has run yet."
      caption="Ingestion runs, newest first"
      columns={['Started', 'Source · dataset', 'Trigger · actor', 'Status', '#Read', '#Changed', '#Unchanged', '#Rejected', '#Duration']}
    >
      {(run) => <RunRow key={run.runId} run={run} onOpen={onOpen} />}
    </PagedTable>
  );
};

interface Page {
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/** A newest-first list as a table, a page at a time: loading and error states, its empty message, a pager. Columns starting with # are numeric. */
const PagedTable = <P extends Page, T,>({
  load,
  items,
  empty,
  caption,
  columns,
  className = 'data',
  children,
}: {
  load: (offset: number) => Promise<P>;
  items: (page: P) => readonly T[];
  empty: string;
  caption: string;
  columns: readonly string[];
  className?: string;
  children: (item: T) => ReactNode;
}) => {
  const [offset, setOffset] = useState(0);
  const page = useAsync(() => load(offset), [offset]);
  return (
    <AsyncView state={page} reload={page.reload} skeleton={6}>
      {(p) =>
        items(p).length === 0 ? (
          <Empty>{empty}</Empty>
        ) : (
          <>
            <div className="table-wrap">
              <table className={className}>
                <caption className="sr-only">{caption}</caption>
                <thead>
                  <tr>
                    {columns.map((c) => (
                      <th key={c} scope="col" className={c.startsWith('#') ? 'num' : undefined}>
                        {c.replace(/^#/, '')}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>{items(p).map(children)}</tbody>
              </table>
            </div>
            <Pager total={p.total} offset={p.offset} limit={p.limit} onChange={setOffset} />
          </>
        )
      }
    </AsyncView>
  );
};

const RunRow = ({ run, onOpen }: { run: RunSummary; onOpen: (id: string) => void }) => (
  <tr>
    <td>
      <button type="button" className="link" onClick={() => onOpen(run.runId)}>
        {formatInstant(run.startedAt)}
      </button>
    </td>
    <td>
      {run.source}
      {run.source === 'demo' && <span className="pill pill-demo">demo</span>} · <span className="muted">{run.dataset}</span>
    </td>
    <td>
      {run.trigger} · <span className="muted">{run.actor}</span>
    </td>
    <td>
      <StatusPill status={run.status} />
    </td>
    <td className="num">{n(run.rowsRead)}</td>
    <td className="num">{n(run.rowsChanged)}</td>
    <td className="num">{n(run.rowsUnchanged)}</td>
    <td className={`num${run.rowsRejected ? ' warn-text' : ''}`}>{n(run.rowsRejected)}</td>
    <td className="num">{run.durationMs === null ? '–' : `${(run.durationMs / 1000).toFixed(1)} s`}</td>
  </tr>
);

const ACCESS_WORDS: Readonly<Record<AccessChange['change'], string>> = {
  registered: 'registered',
  disabled: 'disabled',
  'role-granted': 'granted role',
  'role-revoked': 'revoked role',
  'permission-granted': 'granted permission',
  'permission-revoked': 'revoked permission',
};

/** Who changed whose access, how and when (registrations, roles and permissions granted or revoked), newest first. */
const AccessChanges = () => {
  const { ep } = useSession();
  return (
    <PagedTable
      load={(offset) => ep.auditAccess({ limit: 30, offset })}
      items={(r) => r.changes}
      empty="No access change recorded yet."
      caption="Access changes, newest first"
      columns={['When', 'Who', 'Change', 'Whom']}
      className="data access-log"
    >
      {(c) => (
        <tr key={`${c.position}-${c.userId}`} data-change={c.change} data-username={c.username ?? c.userId}>
          <td>{formatInstant(c.at)}</td>
          <td>{c.actorName ?? c.actor}</td>
          <td>
            {ACCESS_WORDS[c.change]} {(c.role ?? c.permission) && <code>{c.role ?? c.permission}</code>}
          </td>
          <td>{c.username ?? c.userId}</td>
        </tr>
      )}
    </PagedTable>
  );
};

const Pager = ({ total, offset, limit, onChange }: { total: number; offset: number; limit: number; onChange: (o: number) => void }) =>
  total <= limit ? null : (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="btn btn-secondary btn-small" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        Newer
      </button>
      <span className="muted small">
        {offset + 1}–{Math.min(total, offset + limit)} of {total}
      </span>
      <button type="button" className="btn btn-secondary btn-small" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        Older
      </button>
    </nav>
  );

const RunDetailView = ({ runId, onBack }: { runId: string; onBack: () => void }) => {
  const { ep } = useSession();
  const run = useAsync(() => ep.auditRun(runId), [ep, runId]);
  return (
    <>
      <button type="button" className="btn btn-ghost btn-small" onClick={onBack}>
        ← All runs
      </button>
      <AsyncView state={run} reload={run.reload} skeleton={8}>
        {(r) => (
          <>
            <h2>
              Run <code>{r.runId}</code> <StatusPill status={r.status} />
            </h2>
            <dl className="facts">
              <div><dt>Source</dt><dd>{r.source} · {r.dataset}</dd></div>
              <div><dt>Trigger</dt><dd>{r.trigger} by {r.actor}</dd></div>
              <div><dt>Started</dt><dd>{formatInstant(r.startedAt)}</dd></div>
              <div><dt>Finished</dt><dd>{r.finishedAt ? formatInstant(r.finishedAt) : '–'}</dd></div>
              <div><dt>Rows read</dt><dd>{n(r.rowsRead)}</dd></div>
              <div><dt>Changed / unchanged</dt><dd>{n(r.rowsChanged)} / {n(r.rowsUnchanged)}</dd></div>
              <div><dt>Rejected</dt><dd>{n(r.rowsRejected)}</dd></div>
              <div><dt>Series changed</dt><dd>{n(r.seriesChanged)}</dd></div>
              {Object.entries(r.parameters).map(([k, v]) => (
                <div key={k}><dt>{k}</dt><dd><code>{String(v)}</code></dd></div>
              ))}
            </dl>
            {r.failureReason && <p className="callout callout-error">{r.failureReason}</p>}
            <h3>Rejected rows ({r.rejected.length})</h3>
            {r.rejected.length === 0 ? (
              <Empty>None.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="data">
                  <thead><tr><th scope="col" className="num">Row</th><th scope="col">Reason</th><th scope="col">Raw</th></tr></thead>
                  <tbody>
                    {r.rejected.map((x) => (
                      <tr key={x.row}><td className="num">{x.row}</td><td>{x.reason}</td><td><code>{x.raw ?? ''}</code></td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <h3>Changes ({r.changesTotal.toLocaleString('en-US')}{r.changesTotal > r.changes.length ? `, first ${r.changes.length} shown` : ''})</h3>
            <ChangesTable changes={r.changes} showSeries />
          </>
        )}
      </AsyncView>
    </>
  );
};

interface ChangeRow {
  readonly country?: string;
  readonly indicator?: string;
  readonly year: number;
  readonly value: number;
  readonly previous: number | null;
  readonly kind: string;
  readonly source: string;
  readonly runId: string | null;
  readonly reason: string | null;
  readonly actor: string;
  readonly at: string;
  readonly position: number;
}

const ChangesTable = ({ changes, showSeries = false }: { changes: readonly ChangeRow[]; showSeries?: boolean }) => {
  const catalogue = useCatalogue();
  const unitOf = (code: string | undefined) => (code ? (catalogue.data?.indicatorByCode.get(code)?.unit ?? '') : '');
  if (changes.length === 0) return <Empty>No changes.</Empty>;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            {showSeries && <th scope="col">Series</th>}
            <th scope="col">Year</th>
            <th scope="col" className="num">Old → new</th>
            <th scope="col">Kind</th>
            <th scope="col">Source · run</th>
            <th scope="col">Actor</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.position}>
              {showSeries && (
                <td>
                  <a href={href('audit', {}, { tab: 'history', country: c.country, indicator: c.indicator })}>
                    {c.country} · {c.indicator}
                  </a>
                </td>
              )}
              <td>{c.year}</td>
              <td className="num">
                <span className="muted">{c.previous === null ? 'new' : formatExact(c.previous, unitOf(c.indicator))}</span> → <strong>{formatExact(c.value, unitOf(c.indicator))}</strong>
              </td>
              <td>
                <StatusPill status={c.kind} />
                {c.reason && <span className="small muted"> {c.reason}</span>}
              </td>
              <td>
                {c.source}
                {c.runId && (
                  <>
                    {' · '}
                    <a href={href('audit', {}, { tab: 'runs', run: c.runId })}>run</a>
                  </>
                )}
              </td>
              <td>{c.actor}</td>
              <td>{formatInstant(c.at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

type Go = (patch: Record<string, string | number | null | undefined>) => void;

const ValueHistory = ({ query, go }: { query: Readonly<Record<string, string>>; go: Go }) => {
  const { ep } = useSession();
  const catalogue = useCatalogue();
  const country = query['country'] ?? 'FRA';
  const indicator = query['indicator'] ?? 'SP.POP.TOTL';
  const year = intParam(query['year']);
  const history = useAsync(() => ep.auditSeries(country, indicator, year ?? undefined), [ep, country, indicator, year]);
  return (
    <>
      <div className="filters">
        <div className="field">
          <label htmlFor="h-country">Country</label>
          <select id="h-country" value={country} onChange={(e) => go({ tab: 'history', country: e.target.value })}>
            {(catalogue.data?.countries ?? []).map((c) => (
              <option key={c.iso3} value={c.iso3}>{c.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="h-indicator">Indicator</label>
          <select id="h-indicator" value={indicator} onChange={(e) => go({ tab: 'history', indicator: e.target.value })}>
            {(catalogue.data?.indicators ?? []).map((i) => (
              <option key={i.code} value={i.code}>{i.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="h-year">Year</label>
          <select id="h-year" value={year ?? ''} onChange={(e) => go({ tab: 'history', year: e.target.value || null })}>
            <option value="">Every year</option>
            {(catalogue.data?.years ?? []).map((y) => (
              <option key={y}>{y}</option>
            ))}
          </select>
        </div>
      </div>
      <AsyncView state={history} reload={history.reload} skeleton={6}>
        {(h) => <ChangesTable changes={[...h.entries].reverse().map((e) => ({ ...e, indicator: h.indicator, country: h.country }))} />}
      </AsyncView>
    </>
  );
};

/** `datetime-local` value (local time) ↔ ISO instant. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

const AsOfView = ({ query, go }: { query: Readonly<Record<string, string>>; go: Go }) => {
  const { ep } = useSession();
  const catalogue = useCatalogue();
  const country = query['country'] ?? 'FRA';
  const at = query['at'] ?? null;
  const [draft, setDraft] = useState(at ? toLocalInput(at) : toLocalInput(new Date().toISOString()));
  const asOf = useAsync(() => (at ? ep.asOf(at, country) : Promise.resolve(null)), [ep, at, country]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const d = new Date(draft);
    if (!Number.isNaN(d.getTime())) go({ tab: 'asof', at: d.toISOString() });
  };
  return (
    <>
      <form className="filters" onSubmit={submit}>
        <div className="field">
          <label htmlFor="a-country">Country</label>
          <select id="a-country" value={country} onChange={(e) => go({ tab: 'asof', country: e.target.value })}>
            {(catalogue.data?.countries ?? []).map((c) => (
              <option key={c.iso3} value={c.iso3}>{c.name}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="a-at">As known at (your local time)</label>
          <input id="a-at" type="datetime-local" value={draft} onChange={(e) => setDraft(e.target.value)} required />
        </div>
        <div className="field field-end">
          <button type="submit" className="btn btn-primary">Show</button>
        </div>
      </form>
      <AsyncView state={asOf} reload={asOf.reload} skeleton={6}>
        {(a) =>
          a === null ? (
            <Empty>Pick an instant to see what the platform knew then.</Empty>
          ) : a.indicators.length === 0 ? (
            <Empty>Nothing was known about {catalogue.data?.countryNames.get(a.country) ?? a.country} at {formatInstant(a.at)}.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="data">
                <caption>
                  {catalogue.data?.countryNames.get(a.country) ?? a.country} as known at {formatInstant(a.at)}
                </caption>
                <thead><tr><th scope="col">Indicator</th><th scope="col">Latest year</th><th scope="col" className="num">Value</th></tr></thead>
                <tbody>
                  {a.indicators.map((i) => {
                    const meta = catalogue.data?.indicatorByCode.get(i.indicator);
                    return (
                      <tr key={i.indicator}>
                        <td>{meta?.name ?? i.indicator}</td>
                        <td>{i.year}</td>
                        <td className="num">{formatValue(i.value, meta?.unit ?? '', meta?.decimals ?? 2)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
    </>
  );
};
