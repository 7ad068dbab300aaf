import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError, describeError } from '../api/client.ts';
import type { AsyncState } from './use-async.ts';

export const Spinner = ({ label = 'Loading…' }: { label?: string }) => (
  <div className="loading" role="status" aria-live="polite">
    <span className="spinner" aria-hidden="true" />
    <span>{label}</span>
  </div>
);

export const Skeleton = ({ lines = 3, label = 'Loading…' }: { lines?: number; label?: string }) => (
  <div className="skeleton" role="status" aria-label={label}>
    {Array.from({ length: lines }, (_, i) => (
      <span key={i} className="skeleton-line" style={{ width: `${90 - ((i * 17) % 35)}%` }} />
    ))}
  </div>
);

export const ErrorPanel = ({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) => {
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    <div className={`callout ${forbidden ? 'callout-warn' : 'callout-error'}`} role="alert">
      <strong>{title ?? (forbidden ? 'Access denied' : 'Could not load this')}</strong>
      <p>{describeError(error)}</p>
      {error instanceof ApiError && error.code && <p className="muted small">Code: {error.code}</p>}
      {onRetry && !forbidden && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
};

/** Shows loading, error or the content of an async state. */
export function AsyncView<T>({ state, children, skeleton = 3, reload }: { state: AsyncState<T>; children: (data: T) => ReactNode; skeleton?: number; reload?: () => void }) {
  if (state.status === 'error' && state.data === null) return <ErrorPanel error={state.error} {...(reload ? { onRetry: reload } : {})} />;
  if (state.data === null) return <Skeleton lines={skeleton} />;
  return (
    <div className={state.status === 'loading' ? 'is-refreshing' : undefined} aria-busy={state.status === 'loading'}>
      {state.status === 'error' && <ErrorPanel error={state.error} {...(reload ? { onRetry: reload } : {})} />}
      {children(state.data)}
    </div>
  );
}

export const Empty = ({ children }: { children: ReactNode }) => <p className="empty">{children}</p>;

/** The attribution every chart and table of data carries; a demo source is said loudly. */
export const SourceNote = ({ source }: { source?: string | undefined }) => {
  if (source && /demo/i.test(source)) return <DemoBadge />;
  const oecd = source !== undefined && /oecd/i.test(source);
  return (
    <p className="source">
      Source:{' '}
      {oecd ? (
        <a href="https://data-explorer.oecd.org/" rel="noreferrer">
          OECD Data Explorer (CC BY 4.0)
        </a>
      ) : (
        <a href="https://datacatalog.worldbank.org/search/dataset/0037712" rel="noreferrer">
          World Bank WDI (CC BY 4.0)
        </a>
      )}
    </p>
  );
};

export const DemoBadge = () => (
  <p className="demo-badge" role="note">
    Demo data — generated for trying NationPulse out, not real statistics.
  </p>
);

/** The page whose title last rendered: the first page of a load keeps the browser's focus (so Tab reaches the skip link first). */
let lastPage: string | null = null;

/** A page's title: sets document.title and takes focus after navigation, so screen readers announce the new page. */
export const PageTitle = ({ children, text, actions }: { children: ReactNode; text: string; actions?: ReactNode }) => {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${text} · NationPulse`;
    const page = window.location.hash.split('?')[0] ?? '';
    if (lastPage !== null && lastPage !== page) ref.current?.focus({ preventScroll: true });
    lastPage = page;
  }, [text]);
  return (
    <div className="page-head">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
};

export const StatusPill = ({ status }: { status: string }) => <span className={`pill pill-${status.replace(/[^a-z-]/g, '')}`}>{status}</span>;
