/**
 * A small hash router: `#/country/FRA?from=2000&to=2020`. Hash URLs need nothing from the server
 * (any static host or the gateway serves index.html once) and survive reloads and bookmarks.
 */

export interface RouteDefinition<Name extends string = string> {
  readonly name: Name;
  /** Segments; `:name` captures one segment. */
  readonly pattern: string;
}

export interface Location {
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

export interface RouteMatch<Name extends string = string> {
  readonly name: Name | 'not-found';
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly path: string;
}

const segments = (path: string): string[] => path.split('/').filter(Boolean);

/** The path and query of a location hash (`#/a/b?x=1`); an empty hash is `/`. */
export const parseHash = (hash: string): Location => {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = `/${segments(q === -1 ? raw : raw.slice(0, q)).join('/')}`;
  const query: Record<string, string> = {};
  if (q !== -1) for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) query[k] = v;
  return { path, query };
};

/** The first route whose pattern matches the path, with its decoded parameters; else not-found. */
export const matchRoute = <Name extends string>(routes: readonly RouteDefinition<Name>[], location: Location): RouteMatch<Name> => {
  const actual = segments(location.path);
  for (const route of routes) {
    const expected = segments(route.pattern);
    if (expected.length !== actual.length) continue;
    const params: Record<string, string> = {};
    const ok = expected.every((seg, i) => {
      const value = actual[i] ?? '';
      if (seg.startsWith(':')) {
        try {
          params[seg.slice(1)] = decodeURIComponent(value);
        } catch {
          return false;
        }
        return true;
      }
      return seg === value;
    });
    if (ok) return { name: route.name, params, query: location.query, path: location.path };
  }
  return { name: 'not-found', params: {}, query: location.query, path: location.path };
};

/** The hash for a route: parameters filled in and encoded, empty query values left out. */
export const buildHash = (
  pattern: string,
  params: Readonly<Record<string, string>> = {},
  query: Readonly<Record<string, string | number | undefined | null>> = {},
): string => {
  const path = segments(pattern)
    .map((seg) => {
      if (!seg.startsWith(':')) return seg;
      const value = params[seg.slice(1)];
      if (value === undefined) throw new Error(`Missing route parameter ${seg} for ${pattern}`);
      return encodeURIComponent(value);
    })
    .join('/');
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
};

/** A positive integer from a query value, or the fallback. */
export const intParam = (value: string | undefined, fallback: number | null = null): number | null => {
  if (value === undefined || !/^\d{1,6}$/.test(value)) return fallback;
  return Number(value);
};
