import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../api/client.ts';
import type { Report, ReportFormat, ReportSpec } from '../api/types.ts';
import { formatBytes, formatInstant } from '../charts/format.ts';
import { Empty, ErrorPanel, PageTitle, Skeleton, StatusPill } from '../components/ui.tsx';
import { pagePermissions } from '../session/identity.ts';
import { useCatalogue } from '../session/catalogue.tsx';
import { useLiveEvents, useSession } from '../session/session.tsx';

const LOCAL_KEY = 'nationpulse.my-reports';
/** Reports this browser asked for: the history when the gateway offers no list of one's reports. */
const localIds = (): string[] => {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(LOCAL_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};
const rememberId = (id: string) => localStorage.setItem(LOCAL_KEY, JSON.stringify([id, ...localIds().filter((x) => x !== id)].slice(0, 50)));

type Kind = ReportSpec['kind'];
const KINDS: readonly { kind: Kind; label: string }[] = [
  { kind: 'country-profile', label: "A country's profile" },
  { kind: 'indicator-all-countries', label: 'One indicator, all countries' },
  { kind: 'ranking', label: 'A ranking' },
];

export const describeSpec = (spec: ReportSpec, names: ReadonlyMap<string, string>, indicatorName: (code: string) => string): string => {
  switch (spec.kind) {
    case 'country-profile':
      return `${names.get(spec.country) ?? spec.country} profile, ${spec.fromYear}–${spec.toYear}`;
    case 'indicator-all-countries':
      return `${indicatorName(spec.indicator)}, all countries, ${spec.fromYear}–${spec.toYear}`;
    case 'ranking':
      return `Ranking by ${indicatorName(spec.indicator)}, ${spec.year} (${spec.order === 'asc' ? 'lowest first' : 'highest first'})`;
  }
};

export default function ReportsPage() {
  const { ep, may, live } = useSession();
  const catalogue = useCatalogue();
  const [reports, setReports] = useState<Report[] | null>(null);
  const [listError, setListError] = useState<unknown>(null);
  const [fromServer, setFromServer] = useState(true);

  const fetchOne = useCallback(
    async (id: string): Promise<Report | null> => {
      try {
        return await ep.report(id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    [ep],
  );

  const loadList = useCallback(async () => {
    setListError(null);
    try {
      const mine = await ep.myReports();
      if (mine !== null) {
        setFromServer(true);
        setReports([...mine]);
        return;
      }
      setFromServer(false);
      const found = await Promise.all(localIds().map(fetchOne));
      setReports(found.filter((r): r is Report => r !== null));
    } catch (error) {
      setListError(error);
    }
  }, [ep, fetchOne]);

  useEffect(() => void loadList(), [loadList]);

  const refreshOne = useCallback(
    async (id: string) => {
      const r = await fetchOne(id).catch(() => null);
      if (r) setReports((list) => [r, ...(list ?? []).filter((x) => x.reportId !== id)].sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)));
    },
    [fetchOne],
  );

  // Live: a status event names the report; its current state comes from the read side.
  useLiveEvents(['report.status', 'report.ready', 'report.failed'], (e) => {
    const id = e.data['reportId'];
    if (typeof id === 'string') void refreshOne(id);
  });

  // Without a live connection, pending reports are polled so the page still moves on its own.
  const pending = (reports ?? []).filter((r) => r.status === 'requested').map((r) => r.reportId);
  useEffect(() => {
    if (live === 'open' || pending.length === 0) return;
    const t = setInterval(() => pending.forEach((id) => void refreshOne(id)), 3000);
    return () => clearInterval(t);
  }, [live, pending.join(','), refreshOne]);

  if (!may(pagePermissions.reports)) {
    return (
      <>
        <PageTitle text="Reports">Reports</PageTitle>
        <ErrorPanel error={new ApiError(403, 'PERMISSION_DENIED', 'reports:request is needed')} />
      </>
    );
  }

  const names = catalogue.data?.countryNames ?? new Map<string, string>();
  const indicatorName = (code: string) => catalogue.data?.indicatorByCode.get(code)?.name ?? code;

  return (
    <>
      <PageTitle text="Reports">Reports</PageTitle>
      <div className="two-col">
        <section className="panel" aria-labelledby="new-report">
          <h2 id="new-report">Request a report</h2>
          <ReportForm
            onRequested={async (id) => {
              rememberId(id);
              await refreshOne(id);
            }}
          />
        </section>
        <section className="panel" aria-labelledby="my-reports">
          <h2 id="my-reports">My reports</h2>
          <p className="muted small" aria-live="polite">
            {live === 'open' ? 'Statuses update live.' : 'Live updates unavailable: checking every few seconds.'}
            {!fromServer && ' Showing the reports requested from this browser.'}
          </p>
          {listError !== null && <ErrorPanel error={listError} onRetry={() => void loadList()} />}
          {reports === null && listError === null && <Skeleton lines={4} />}
          {reports?.length === 0 && <Empty>No reports yet. Request one and it appears here.</Empty>}
          {reports && reports.length > 0 && (
            <ul className="report-list" aria-label="My reports">
              {reports.map((r) => (
                <ReportRow key={r.reportId} report={r} title={describeSpec(r.spec, names, indicatorName)} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

const ReportRow = ({ report, title }: { report: Report; title: string }) => {
  const { ep } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const { blob, fileName } = await ep.reportFile(report.reportId);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName ?? report.artifact?.fileName ?? `report-${report.reportId}.${report.format}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const status = report.status === 'generated' ? 'ready' : report.status === 'requested' ? 'generating' : 'failed';
  return (
    <li className="report" data-report-id={report.reportId} data-status={status}>
      <div className="report-main">
        <span className="report-title">{title}</span>
        <span className="muted small">
          {report.format.toUpperCase()} · requested {formatInstant(report.requestedAt)}
          {report.artifact && ` · ${formatBytes(report.artifact.sizeBytes)}`}
          {report.rows !== null && ` · ${report.rows.toLocaleString('en-US')} rows`}
        </span>
        {report.failure && <span className="error-text small">{report.failure.message}</span>}
        {error !== null && (
          <span className="error-text small" role="alert">
            {describeError(error)}
          </span>
        )}
      </div>
      <StatusPill status={status} />
      {report.status === 'generated' && (
        <button type="button" className="btn btn-primary btn-small" onClick={() => void download()} disabled={busy} aria-label={`Download ${title}`}>
          {busy ? 'Downloading…' : 'Download'}
        </button>
      )}
    </li>
  );
};

const ReportForm = ({ onRequested }: { onRequested: (reportId: string) => Promise<void> }) => {
  const { ep } = useSession();
  const catalogue = useCatalogue();
  const latest = catalogue.data?.years[0] ?? new Date().getUTCFullYear() - 1;
  const [kind, setKind] = useState<Kind>('country-profile');
  const [country, setCountry] = useState('FRA');
  const [indicator, setIndicator] = useState('SP.POP.TOTL');
  const [fromYear, setFromYear] = useState(2000);
  const [toYear, setToYear] = useState(latest);
  const [year, setYear] = useState(latest);
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [format, setFormat] = useState<ReportFormat>('csv');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const years = catalogue.data?.years ?? [latest];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const spec: ReportSpec =
      kind === 'country-profile'
        ? { kind, country, fromYear: Math.min(fromYear, toYear), toYear: Math.max(fromYear, toYear) }
        : kind === 'indicator-all-countries'
          ? { kind, indicator, fromYear: Math.min(fromYear, toYear), toYear: Math.max(fromYear, toYear) }
          : { kind, indicator, year, order };
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const { reportId } = await ep.requestReport(spec, format);
      await onRequested(reportId);
      setDone('Requested. It appears under My reports and updates when ready.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const yearSelect = (id: string, label: string, value: number, set: (n: number) => void) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(Number(e.target.value))}>
        {years.map((y) => (
          <option key={y}>{y}</option>
        ))}
      </select>
    </div>
  );

  return (
    <form onSubmit={(e) => void submit(e)} className="form-grid">
      <fieldset className="field span-2">
        <legend>Report</legend>
        <div className="radio-row">
          {KINDS.map((k) => (
            <label key={k.kind} className="radio">
              <input type="radio" name="kind" value={k.kind} checked={kind === k.kind} onChange={() => setKind(k.kind)} /> {k.label}
            </label>
          ))}
        </div>
      </fieldset>
      {kind === 'country-profile' ? (
        <div className="field span-2">
          <label htmlFor="r-country">Country</label>
          <select id="r-country" value={country} onChange={(e) => setCountry(e.target.value)}>
            {(catalogue.data?.countries ?? []).map((c) => (
              <option key={c.iso3} value={c.iso3}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div className="field span-2">
          <label htmlFor="r-indicator">Indicator</label>
          <select id="r-indicator" value={indicator} onChange={(e) => setIndicator(e.target.value)}>
            {(catalogue.data?.indicators ?? []).map((i) => (
              <option key={i.code} value={i.code}>
                {i.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {kind === 'ranking' ? (
        <>
          {yearSelect('r-year', 'Year', year, setYear)}
          <div className="field">
            <label htmlFor="r-order">Order</label>
            <select id="r-order" value={order} onChange={(e) => setOrder(e.target.value === 'asc' ? 'asc' : 'desc')}>
              <option value="desc">Highest first</option>
              <option value="asc">Lowest first</option>
            </select>
          </div>
        </>
      ) : (
        <>
          {yearSelect('r-from', 'From year', fromYear, setFromYear)}
          {yearSelect('r-to', 'To year', toYear, setToYear)}
        </>
      )}
      <div className="field">
        <label htmlFor="r-format">Format</label>
        <select id="r-format" value={format} onChange={(e) => setFormat(e.target.value === 'xlsx' ? 'xlsx' : 'csv')}>
          <option value="csv">CSV</option>
          <option value="xlsx">Excel (xlsx)</option>
        </select>
      </div>
      <div className="field span-2">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Requesting…' : 'Request report'}
        </button>
      </div>
      {error !== null && (
        <p className="callout callout-error span-2" role="alert">
          {describeError(error)}
        </p>
      )}
      {done && (
        <p className="callout callout-ok span-2" role="status">
          {done}
        </p>
      )}
    </form>
  );
};
