import type { ReactNode } from 'react';
import { href, type RouteName } from '../router/routes.ts';
import { pagePermissions, showInNav } from '../session/identity.ts';
import { useSession } from '../session/session.tsx';

const nav: readonly { name: RouteName; label: string; needs?: readonly string[] }[] = [
  { name: 'dashboard', label: 'Dashboard' },
  { name: 'countries', label: 'Countries' },
  { name: 'compare', label: 'Compare' },
  { name: 'reports', label: 'Reports', needs: pagePermissions.reports },
  { name: 'audit', label: 'Audit', needs: pagePermissions.audit },
  { name: 'admin', label: 'Admin', needs: pagePermissions.admin },
];

const liveLabel = { open: 'Live updates on', connecting: 'Connecting to live updates…', closed: 'Live updates off' } as const;

export const Layout = ({ current, children }: { current: RouteName | 'not-found'; children: ReactNode }) => {
  const { me, meKnown, signOut, live, meSource } = useSession();
  const active = current === 'country' ? 'countries' : current;
  return (
    <>
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <a className="brand" href={href('dashboard')} aria-label="NationPulse home">
            <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
              <circle cx="16" cy="16" r="14" fill="currentColor" />
              <path d="M4 17h6l3-7 5 13 3-6h7" stroke="#fff" strokeWidth="2.5" fill="none" strokeLinejoin="round" />
            </svg>
            NationPulse
          </a>
          <nav aria-label="Main">
            <ul>
              {nav
                .filter((n) => showInNav(me, meKnown, n.needs))
                .map((n) => (
                  <li key={n.name}>
                    <a href={href(n.name)} aria-current={active === n.name ? 'page' : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
            </ul>
          </nav>
          <div className="session" aria-label="Session">
            <span className={`live-dot live-${live}`} title={liveLabel[live]} role="img" aria-label={liveLabel[live]} />
            <span className="who">
              <span className="who-name">{me?.displayName ?? me?.username ?? 'Signed in'}</span>
              {me && me.roles.length > 0 && <span className="who-roles">{me.roles.join(' · ')}</span>}
              {meSource === 'token' && me?.roles.length === 0 && <span className="who-roles">permissions checked by the server</span>}
            </span>
            <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="footer">
        <p>
          Data: The World Bank, World Development Indicators, and OECD — licensed CC BY 4.0. Figures are as ingested by this
          NationPulse instance; see Audit for where each number came from.
        </p>
      </footer>
    </>
  );
};
