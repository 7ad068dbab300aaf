import { useSyncExternalStore } from 'react';
import { matchRoute, parseHash, type RouteMatch } from './router.ts';
import { routes, type RouteName } from './routes.ts';

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};
const snapshot = () => window.location.hash;

/** The current route, re-rendering on navigation. */
export const useRoute = (): RouteMatch<RouteName> => {
  const hash = useSyncExternalStore(subscribe, snapshot, () => '');
  return matchRoute(routes, parseHash(hash));
};

/** Navigates; `replace` keeps the history entry (for filters changing as one types). */
export const navigate = (hash: string, replace = false): void => {
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else window.location.hash = hash;
};
