import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, describeError } from '../api/client.ts';
import type { IngestionProgress } from '../api/endpoints.ts';
import type { ProjectionStatus, User } from '../api/types.ts';
import { AsyncView, Empty, ErrorPanel, PageTitle, StatusPill } from '../components/ui.tsx';
import { useAsync } from '../components/use-async.ts';
import { href } from '../router/routes.ts';
import { pagePermissions } from '../session/identity.ts';
import { useLiveEvents, useSession } from '../session/session.tsx';

const ROLES = ['admin', 'analyst', 'viewer'] as const;
const PERMISSIONS = ['data:read', 'reports:request', 'data:correct', 'ingestion:trigger', 'users:manage', 'audit:read', 'ops:manage'] as const;

export default function AdminPage() {
  const { may, me } = useSession();
  if (!may(pagePermissions.admin)) {
    return (
      <>
        <PageTitle text="Admin">Administration</PageTitle>
        <ErrorPanel
          error={new ApiError(403, 'PERMISSION_DENIED', 'Administration needs users:manage, ingestion:trigger or ops:manage.')}
          title={`Access denied${me ? ` for ${me.username}` : ''}`}
        />
      </>
    );
  }
  return (
    <>
      <PageTitle text="Admin">Administration</PageTitle>
      {may(['users:manage']) && <UsersPanel />}
      <div className="two-col">
        {may(['ingestion:trigger']) && <IngestionPanel />}
        {may(['ops:manage']) && <ProjectionsPanel />}
      </div>
    </>
  );
}

/** Runs an action, keeping its busy / error / done state for the UI. */
const useAction = () => {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<unknown>, success: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await action();
      setDone(success);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, done, run };
};

const Feedback = ({ error, done }: { error: unknown; done: string | null }) => (
  <>
    {error !== null && (
      <p className="callout callout-error" role="alert">
        {describeError(error)}
      </p>
    )}
    {done && (
      <p className="callout callout-ok" role="status">
        {done}
      </p>
    )}
  </>
);

const UsersPanel = () => {
  const { ep } = useSession();
  const users = useAsync(() => ep.users(), [ep]);
  const [manualId, setManualId] = useState('');
  return (
    <section className="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users, roles and permissions</h2>
      <AsyncView state={users} reload={users.reload} skeleton={5}>
        {(list) =>
          list === null ? (
            <>
              <p className="callout callout-warn">The gateway does not list users yet. Enter a user id to grant or revoke.</p>
              <div className="field">
                <label htmlFor="manual-user">User id</label>
                <input id="manual-user" value={manualId} onChange={(e) => setManualId(e.target.value.trim())} />
              </div>
              {manualId && <UserRow user={{ userId: manualId, username: manualId, displayName: manualId, roles: [], grants: [], permissions: [], disabled: false }} onChanged={users.reload} />}
            </>
          ) : list.length === 0 ? (
            <Empty>No users.</Empty>
          ) : (
            <ul className="user-list" aria-label="Users">
              {list.map((u) => (
                <UserRow key={u.userId} user={u} onChanged={users.reload} />
              ))}
            </ul>
          )
        }
      </AsyncView>
      <details className="register">
        <summary>Register a user</summary>
        <RegisterUser onDone={users.reload} />
      </details>
    </section>
  );
};

const UserRow = ({ user, onChanged }: { user: User; onChanged: () => void }) => {
  const { ep } = useSession();
  const action = useAction();
  const [role, setRole] = useState<string>(ROLES.find((r) => !user.roles.includes(r)) ?? 'viewer');
  const [permission, setPermission] = useState<string>(PERMISSIONS.find((p) => !user.permissions.includes(p)) ?? 'data:read');
  const act = async (f: () => Promise<unknown>, msg: string) => {
    if (await action.run(f, msg)) onChanged();
  };
  const id = `u-${user.userId}`;
  return (
    <li className="user" data-username={user.username}>
      <div className="user-head">
        <strong>{user.displayName}</strong>
        {user.displayName !== user.username && <span className="muted small"> @{user.username}</span>}
        {user.disabled && <StatusPill status="disabled" />}
      </div>
      <div className="user-access">
        <span className="small muted">Roles</span>
        <ul className="chips" aria-label={`Roles of ${user.username}`}>
          {user.roles.length === 0 && <li className="muted small">none</li>}
          {user.roles.map((r) => (
            <li key={r}>
              <span>{r}</span>
              <button type="button" aria-label={`Revoke role ${r} from ${user.username}`} disabled={action.busy} onClick={() => void act(() => ep.revokeRole(user.userId, r), `Revoked ${r}.`)}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <span className="small muted">Extra permissions</span>
        <ul className="chips" aria-label={`Permissions granted to ${user.username}`}>
          {user.grants.length === 0 && <li className="muted small">none</li>}
          {user.grants.map((p) => (
            <li key={p}>
              <span>{p}</span>
              <button type="button" aria-label={`Revoke permission ${p} from ${user.username}`} disabled={action.busy} onClick={() => void act(() => ep.revokePermission(user.userId, p), `Revoked ${p}.`)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="user-actions">
        <label htmlFor={`${id}-role`} className="sr-only">
          Role to grant to {user.username}
        </label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
        <button type="button" className="btn btn-secondary btn-small" disabled={action.busy} onClick={() => void act(() => ep.grantRole(user.userId, role), `Granted ${role} to ${user.username}.`)}>
          Grant role
        </button>
        <label htmlFor={`${id}-perm`} className="sr-only">
          Permission to grant to {user.username}
        </label>
        <select id={`${id}-perm`} value={permission} onChange={(e) => setPermission(e.target.value)}>
          {PERMISSIONS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
        <button type="button" className="btn btn-secondary btn-small" disabled={action.busy} onClick={() => void act(() => ep.grantPermission(user.userId, permission), `Granted ${permission} to ${user.username}.`)}>
          Grant permission
        </button>
      </div>
      <Feedback error={action.error} done={action.done} />
    </li>
  );
};

const RegisterUser = ({ onDone }: { onDone: () => void }) => {
  const { ep } = useSession();
  const action = useAction();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('viewer');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => ep.registerUser({ username, password, roles: [role] }), `Registered ${username}.`)) {
      setUsername('');
      setPassword('');
      onDone();
    }
  };
  return (
    <form className="form-grid" onSubmit={(e) => void submit(e)}>
      <div className="field">
        <label htmlFor="new-username">Username</label>
        <input id="new-username" value={username} onChange={(e) => setUsername(e.target.value)} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="new-password">Password (12+ characters)</label>
        <input id="new-password" type="password" minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
      </div>
      <div className="field">
        <label htmlFor="new-role">Role</label>
        <select id="new-role" value={role} onChange={(e) => setRole(e.target.value)}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      <div className="field field-end">
        <button type="submit" className="btn btn-primary" disabled={action.busy || !username || password.length < 12}>
          Register
        </button>
      </div>
      <div className="span-2">
        <Feedback error={action.error} done={action.done} />
      </div>
    </form>
  );
};

const IngestionPanel = () => {
  const { ep } = useSession();
  const action = useAction();
  const [path, setPath] = useState('');
  const [runId, setRunId] = useState<string | null>(null);
  const [progress, setProgress] = useState<IngestionProgress | null>(null);

  const poll = useCallback(
    async (id: string) => {
      try {
        setProgress(await ep.ingestion(id));
      } catch {
        // The next tick or event tries again; the trigger's own errors are shown by the action.
      }
    },
    [ep],
  );

  useLiveEvents(['ingestion.progress'], (e) => {
    if (runId && e.data['runId'] === runId) setProgress((p) => ({ ...(p ?? { runId, status: 'running' }), ...(e.data as Partial<IngestionProgress>) }));
  });

  const finished = progress?.status === 'completed' || progress?.status === 'failed';
  useEffect(() => {
    if (!runId || finished) return;
    void poll(runId);
    const t = setInterval(() => void poll(runId), 1000);
    return () => clearInterval(t);
  }, [runId, finished, poll]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProgress(null);
    await action.run(async () => {
      const r = await ep.triggerIngestion({ kind: 'world-bank-csv', path });
      setRunId(r.runId);
    }, 'Ingestion started.');
  };

  const pct =
    progress?.percent ?? (progress?.totalRows ? Math.min(100, Math.round(((progress.rowsRead ?? 0) / progress.totalRows) * 100)) : null);
  return (
    <section className="panel" aria-labelledby="ingest-title">
      <h2 id="ingest-title">Ingest data</h2>
      <form onSubmit={(e) => void submit(e)} className="form-grid">
        <div className="field span-2">
          <label htmlFor="ingest-path">World Bank CSV file or folder (on the server)</label>
          <input id="ingest-path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/data/world-development-indicators" required />
        </div>
        <div className="field span-2">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !path.trim() || (runId !== null && !finished && progress !== null)}>
            Start ingestion
          </button>
        </div>
      </form>
      <Feedback error={action.error} done={null} />
      {runId && (
        <div className="progress-block" aria-live="polite">
          <p>
            Run <code>{runId}</code> <StatusPill status={progress?.status ?? 'queued'} />
          </p>
          <div className="progress" role="progressbar" aria-label="Ingestion progress" aria-valuemin={0} aria-valuemax={100} {...(pct === null ? {} : { 'aria-valuenow': pct })}>
            <span className={pct === null && !finished ? 'indeterminate' : undefined} style={{ width: `${finished ? 100 : (pct ?? 30)}%` }} />
          </div>
          <p className="small">
            {(progress?.rowsRead ?? 0).toLocaleString('en-US')} rows read
            {progress?.totalRows ? ` of ${progress.totalRows.toLocaleString('en-US')}` : ''} · {(progress?.rowsChanged ?? 0).toLocaleString('en-US')} changed ·{' '}
            {(progress?.rowsRejected ?? 0).toLocaleString('en-US')} rejected
          </p>
          {progress?.failureReason && <p className="callout callout-error">{progress.failureReason}</p>}
          {finished && <a href={href('audit', {}, { tab: 'runs', run: runId })}>See the run in the audit trail</a>}
        </div>
      )}
    </section>
  );
};

const ProjectionsPanel = () => {
  const { ep } = useSession();
  const [state, setState] = useState<{ list: readonly ProjectionStatus[] | null; error: unknown }>({ list: null, error: null });
  const action = useAction();

  const load = useCallback(async () => {
    try {
      const { projections } = await ep.projections();
      setState({ list: projections, error: null });
    } catch (error) {
      setState((s) => ({ list: s.list, error }));
    }
  }, [ep]);

  useLiveEvents(['projection.progress'], () => void load());
  const rebuilding = (state.list ?? []).some((p) => p.rebuild !== null);
  useEffect(() => {
    void load();
    // Progress is visible while a rebuild runs: poll fast then, slowly otherwise.
    const t = setInterval(() => void load(), rebuilding ? 1000 : 5000);
    return () => clearInterval(t);
  }, [load, rebuilding]);

  return (
    <section className="panel" aria-labelledby="proj-title">
      <h2 id="proj-title">Projections</h2>
      {state.error !== null && <ErrorPanel error={state.error} onRetry={() => void load()} />}
      {state.list === null && state.error === null && <p className="muted">Loading…</p>}
      {state.list && (
        <div className="table-wrap">
          <table className="data">
            <caption className="sr-only">Projection status</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Position</th>
                <th scope="col" className="num">Lag</th>
                <th scope="col">Rebuild</th>
              </tr>
            </thead>
            <tbody>
              {state.list.map((p) => {
                const pct = p.rebuild && p.rebuild.target > 0 ? Math.min(100, Math.round((p.rebuild.position / p.rebuild.target) * 100)) : null;
                return (
                  <tr key={p.name} data-projection={p.name}>
                    <th scope="row">
                      {p.name} <span className="muted small">v{p.version}</span>
                    </th>
                    <td>
                      <StatusPill status={p.status} />
                      {p.error && <span className="error-text small"> {p.error}</span>}
                    </td>
                    <td className="num">{p.position.toLocaleString('en-US')}</td>
                    <td className={`num${p.lag > 0 ? ' warn-text' : ''}`}>{p.lag.toLocaleString('en-US')}</td>
                    <td>
                      {p.rebuild ? (
                        <div className="rebuild">
                          <div className="progress" role="progressbar" aria-label={`Rebuild of ${p.name}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct ?? 0}>
                            <span style={{ width: `${pct ?? 0}%` }} />
                          </div>
                          <span className="small muted">
                            {pct ?? 0}% · {Math.round(p.rebuild.eventsPerSecond).toLocaleString('en-US')} ev/s
                            {p.rebuild.etaSeconds !== null ? ` · ${Math.ceil(p.rebuild.etaSeconds)} s left` : ''}
                          </span>
                        </div>
                      ) : (
                        <button
                          type="button"
                          className="btn btn-secondary btn-small"
                          disabled={action.busy}
                          onClick={() => void action.run(() => ep.rebuildProjection(p.name).then(load), `Rebuilding ${p.name}.`)}
                        >
                          Rebuild
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Feedback error={action.error} done={action.done} />
    </section>
  );
};
