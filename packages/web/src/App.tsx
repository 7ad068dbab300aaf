import { lazy, Suspense, useEffect } from 'react';
import { Layout } from './components/Layout.tsx';
import { Spinner } from './components/ui.tsx';
import { DashboardPage } from './pages/DashboardPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { href } from './router/routes.ts';
import { navigate, useRoute } from './router/use-route.ts';
import { CatalogueProvider } from './session/catalogue.tsx';
import { useSession } from './session/session.tsx';

// Pages other than the dashboard load on first visit, keeping the first load small.
const CountriesPage = lazy(() => import('./pages/CountriesPage.tsx'));
const CountryPage = lazy(() => import('./pages/CountryPage.tsx'));
const ComparePage = lazy(() => import('./pages/ComparePage.tsx'));
const ReportsPage = lazy(() => import('./pages/ReportsPage.tsx'));
const AuditPage = lazy(() => import('./pages/AuditPage.tsx'));
const AdminPage = lazy(() => import('./pages/AdminPage.tsx'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage.tsx'));

export const App = () => {
  const route = useRoute();
  const { signedIn } = useSession();

  useEffect(() => {
    if (!signedIn && route.name !== 'signin') navigate(href('signin', {}, { next: route.path === '/' ? undefined : window.location.hash.slice(1) }), true);
    if (signedIn && route.name === 'signin') navigate(route.query['next'] ? `#${route.query['next']}` : href('dashboard'), true);
  }, [signedIn, route.name, route.path, route.query]);

  if (!signedIn || route.name === 'signin') return <SignInPage />;

  const page = (() => {
    switch (route.name) {
      case 'dashboard':
        return <DashboardPage query={route.query} />;
      case 'countries':
        return <CountriesPage />;
      case 'country':
        return <CountryPage iso3={route.params['iso3'] ?? ''} query={route.query} />;
      case 'compare':
        return <ComparePage query={route.query} />;
      case 'reports':
        return <ReportsPage />;
      case 'audit':
        return <AuditPage query={route.query} />;
      case 'admin':
        return <AdminPage />;
      default:
        return <NotFoundPage />;
    }
  })();

  return (
    <CatalogueProvider>
      <Layout current={route.name}>
        <Suspense fallback={<Spinner label="Loading page…" />}>{page}</Suspense>
      </Layout>
    </CatalogueProvider>
  );
};
