import type { DocumentWrite, ResponseCache } from '@nationpulse/ports';
import type { ProjectionHooks } from '../runner/projection-manager.ts';
import type { DerivedErrorHandler } from './derived-sync.ts';
import { responseNamespace, responseScope } from './keys.ts';

/**
 * The scopes of one query's cached answers that a committed document can change (the query's
 * `cacheScope` of the inputs whose answer reads it), or `all` when the document's fields do not
 * say (a deletion) or the query has no scopes.
 */
type ScopesOf = (write: DocumentWrite) => readonly string[] | 'all';

const all: ScopesOf = () => 'all';
/** Scopes from a put document's fields; a deletion (no document) drops every answer of the query. */
const fromDoc =
  (scopes: (doc: Record<string, unknown>) => readonly string[]): ScopesOf =>
  (write) =>
    write.op === 'put' ? scopes(write.doc) : 'all';
const text = (value: unknown): string => String(value);

/**
 * Per projection, the read API queries that read its read models, and which of their cached
 * answers a document change reaches. Must agree with the queries' `reads` and `cacheScope`
 * (read-api/src/queries): keys.unit.test.ts checks every query against it.
 */
export const RESPONSE_CACHE_READERS: Readonly<Record<string, Readonly<Record<string, ScopesOf>>>> = {
  // series, id `${country}:${indicator}`
  series: {
    series: fromDoc((doc) => [`${text(doc['country'])}:${text(doc['indicator'])}`]),
    compare: fromDoc((doc) => [text(doc['indicator'])]),
  },
  // country_profiles, id = ISO3
  'country-profiles': {
    'country-profile': fromDoc((doc) => [text(doc['country'])]),
    'list-countries': all,
  },
  // indicator_years, id `${indicator}:${year}`: an answer for that year, or for the latest year (which may now be this one)
  observations: {
    rankings: fromDoc((doc) => [`${text(doc['indicator'])}:${text(doc['year'])}`, `${text(doc['indicator'])}:latest`]),
    dashboard: fromDoc((doc) => [text(doc['year']), 'latest']),
    'list-indicators': all,
  },
  // change_sets, one per event
  'change-log': {
    'audit-series': fromDoc((doc) => [`${text(doc['country'])}:${text(doc['indicator'])}`]),
    'audit-asof': fromDoc((doc) => [text(doc['country'])]),
    'audit-changes': all,
    'audit-run': all,
  },
  'ingestion-runs': { 'audit-runs': all, 'audit-run': all },
  users: { 'list-users': all, 'audit-access': all },
  reports: { 'list-reports': all },
};

/** The projections whose read models the read API's queries read, hence whose answers it caches. */
export const RESPONSE_CACHED_PROJECTIONS: readonly string[] = Object.keys(RESPONSE_CACHE_READERS);

/** Past this many scopes in one batch (an ingestion), a query's answers go all at once: fewer prefix scans. */
export const MAX_SCOPES_PER_QUERY = 32;

/**
 * The key prefixes of the cached answers a batch of a projection's writes may have changed:
 * per reading query, the scopes its documents reach, or the query's whole namespace.
 */
export const invalidatedPrefixes = (projection: string, writes: readonly DocumentWrite[] | 'all'): string[] => {
  const prefixes: string[] = [];
  for (const [query, scopesOf] of Object.entries(RESPONSE_CACHE_READERS[projection] ?? {})) {
    const scopes = new Set<string>();
    let whole = writes === 'all';
    for (const write of writes === 'all' ? [] : writes) {
      const reached = scopesOf(write);
      if (reached === 'all') whole = true;
      else for (const scope of reached) scopes.add(scope);
      if (whole || scopes.size > MAX_SCOPES_PER_QUERY) {
        whole = true;
        break;
      }
    }
    if (whole) prefixes.push(responseNamespace(query));
    else for (const scope of scopes) prefixes.push(responseScope(query, scope));
  }
  return prefixes;
};

/**
 * Drops the read API's cached answers that a projection's batch may have changed (its scopes
 * of each query reading the projection), and all of them when a rebuilt copy is swapped in.
 * Only freshness is at stake: a cached answer carries its position and is never served to a
 * caller asking for a later one, and it expires after a short TTL anyway. A failure is reported,
 * never thrown: the projection goes on.
 */
export const responseCacheHooks = (responses: ResponseCache, projection: string, options: { onError?: DerivedErrorHandler } = {}): ProjectionHooks => {
  const drop = async (writes: readonly DocumentWrite[] | 'all') => {
    try {
      for (const prefix of invalidatedPrefixes(projection, writes)) await responses.deleteByPrefix(prefix);
    } catch (error) {
      options.onError?.(error, { structure: 'response-cache', stage: 'apply' });
    }
  };
  return { beforeCommit: (writes) => drop(writes), afterSwap: () => drop('all') };
};

/** Several hooks as one, run in the order given (each step awaited). */
export const combineHooks = (...all: readonly (ProjectionHooks | undefined)[]): ProjectionHooks => {
  const beforeCommits = all.flatMap((h) => (h?.beforeCommit ? [h.beforeCommit] : []));
  const afterSwaps = all.flatMap((h) => (h?.afterSwap ? [h.afterSwap] : []));
  return {
    ...(beforeCommits.length > 0
      ? {
          async beforeCommit(writes) {
            for (const beforeCommit of beforeCommits) await beforeCommit(writes);
          },
        }
      : {}),
    ...(afterSwaps.length > 0
      ? {
          async afterSwap() {
            for (const afterSwap of afterSwaps) await afterSwap();
          },
        }
      : {}),
  };
};
