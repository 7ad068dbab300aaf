import { buildHash, type RouteDefinition } from './router.ts';

export const routes = [
  { name: 'dashboard', pattern: '/' },
  { name: 'signin', pattern: '/signin' },
  { name: 'countries', pattern: '/countries' },
  { name: 'country', pattern: '/countries/:iso3' },
  { name: 'compare', pattern: '/compare' },
  { name: 'reports', pattern: '/reports' },
  { name: 'audit', pattern: '/audit' },
  { name: 'admin', pattern: '/admin' },
] as const satisfies readonly RouteDefinition[];

export type RouteName = (typeof routes)[number]['name'];

const patternOf = (name: RouteName): string => routes.find((r) => r.name === name)?.pattern ?? '/';

/** The href of a page: `href('country', {iso3: 'FRA'}, {from: 2000})`. */
export const href = (
  name: RouteName,
  params: Readonly<Record<string, string>> = {},
  query: Readonly<Record<string, string | number | undefined | null>> = {},
): string => buildHash(patternOf(name), params, query);
